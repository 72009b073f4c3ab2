"""An organisation's integrations: ADMIN and OWNER manage them (INTEGRATIONS_MANAGE),
every MEMBER reads them (AUTOMATION_READ). Secrets are encrypted with the platform's
vault, one JSON object per integration, and never leave it except to the executors
(`usable`); the audit log names the keys that changed, never a value."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from control_plane.automation.models import providers
from control_plane.automation.models.common import IntegrationType
from control_plane.automation.models.integrations import (
    IntegrationCreate,
    IntegrationPublic,
    IntegrationStatus,
)
from control_plane.automation.queries import integrations
from control_plane.automation.queries.integrations import IntegrationRow
from control_plane.db import Conn
from control_plane.errors import VALIDATION, ApiError
from control_plane.foundation.permissions import Permission, authorize, authorize_object
from control_plane.foundation.services.audit import RequestOrigin, record_action
from platform_support.vault import Vault

NO_INTEGRATION = {"integration": "No such integration."}
PREFIX = "/api/v1/automation/integrations"


class IntegrationUnusable(Exception):
    """A node names an integration it cannot use: missing, of another organisation or
    type, disabled (AUTO_004)."""


@dataclass(frozen=True)
class Usable:
    """An integration as an executor uses it: its settings and secrets in one mapping."""

    id: uuid.UUID
    provider: str
    values: dict[str, Any]


def public(row: IntegrationRow, public_url: str) -> IntegrationPublic:
    configuration = {**row.configuration}
    configuration |= {f"{key}_configured": True for key in sorted(row.secret_keys)}
    return IntegrationPublic(
        id=row.id,
        tracking_id=row.id,
        organization_id=row.organization_id,
        name=row.name,
        type=IntegrationType(row.type),
        provider=row.provider,
        status=IntegrationStatus(row.status),
        description=row.description,
        configuration=configuration,
        settings=row.settings,
        usage_statistics=_usage(row),
        health_status=row.health or {"overall": "unknown", "last_check": None},
        webhook_endpoint=f"{public_url.rstrip('/')}{PREFIX}/{row.id}/webhook/",
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


_USAGE_NAMES = {"email": "emails_sent", "messaging": "messages_sent"}


def _usage(row: IntegrationRow) -> dict[str, Any]:
    """Node runs that used it (successful steps of the run ledger), today and this month
    (UTC); for email and messaging also under the seed's names."""
    usage = {"node_runs_today": row.used_today, "node_runs_this_month": row.used_this_month}
    if name := _USAGE_NAMES.get(row.type):
        usage |= {f"{name}_today": row.used_today, f"{name}_this_month": row.used_this_month}
    return usage


async def get(connection: Conn, user_id: uuid.UUID, integration_id: uuid.UUID) -> IntegrationRow:
    row = await integrations.one(connection, integration_id)
    organization_id = row.organization_id if row else None
    await authorize_object(
        connection, user_id, organization_id, Permission.AUTOMATION_READ, NO_INTEGRATION
    )
    assert row is not None
    return row


def _checked(
    type_: IntegrationType, provider: str, configuration: dict[str, Any], *, partial: bool
) -> None:
    found = providers.problems(type_, provider, configuration, partial=partial)
    if found:
        raise ApiError(VALIDATION, found)


def _encrypted(secrets: dict[str, Any], vault: Vault) -> bytes | None:
    return vault.encrypt(json.dumps(secrets)) if secrets else None


async def create(
    connection: Conn,
    origin: RequestOrigin,
    user_id: uuid.UUID,
    body: IntegrationCreate,
    vault: Vault,
) -> uuid.UUID:
    _checked(body.type, body.provider, body.configuration, partial=False)
    shown, secrets = providers.split(body.provider, body.configuration)
    values = {
        "organization": body.organization_id,
        "name": body.name,
        "type": body.type,
        "provider": body.provider,
        "description": body.description,
        "configuration": shown,
        "secrets": _encrypted(secrets, vault),
        "secret_keys": sorted(secrets),
        "settings": body.settings,
        "created_by": user_id,
    }
    async with connection.transaction():
        await authorize(connection, user_id, body.organization_id, Permission.INTEGRATIONS_MANAGE)
        integration_id = await integrations.insert(connection, values)
        details = {"provider": body.provider, "keys": sorted(body.configuration)}
        await record_action(
            connection,
            origin,
            user_id,
            body.organization_id,
            "integration.create",
            integration_id,
            details,
        )
    return integration_id


async def update(
    connection: Conn,
    origin: RequestOrigin,
    user_id: uuid.UUID,
    integration_id: uuid.UUID,
    changes: dict[str, Any],
    vault: Vault,
) -> None:
    async with connection.transaction():
        organization_id = await managed(connection, user_id, integration_id)
        stored = await integrations.credentials(connection, integration_id)
        row = await integrations.one(connection, integration_id)
        assert stored is not None and row is not None
        given = changes.get("configuration") or {}
        _checked(
            IntegrationType(row.type),
            row.provider,
            {k: v for k, v in given.items() if v is not None},
            partial=True,
        )
        secrets = json.loads(vault.decrypt(stored.secrets)) if stored.secrets else {}
        configuration = {**row.configuration, **secrets, **given}
        configuration = {k: v for k, v in configuration.items() if v is not None}
        _checked(IntegrationType(row.type), row.provider, configuration, partial=False)
        shown, new_secrets = providers.split(row.provider, configuration)
        values = {
            "name": changes.get("name") or row.name,
            "description": _given(changes, "description", row.description),
            "status": changes.get("status") or row.status,
            "configuration": shown,
            "secrets": _encrypted(new_secrets, vault),
            "secret_keys": sorted(new_secrets),
            "settings": _given(changes, "settings", row.settings),
        }
        await integrations.update(connection, integration_id, values)
        details = {"fields": sorted(changes), "keys": sorted(given)}
        await record_action(
            connection,
            origin,
            user_id,
            organization_id,
            "integration.update",
            integration_id,
            details,
        )


def _given(changes: dict[str, Any], key: str, current: Any) -> Any:
    value = changes.get(key)
    return current if value is None else value


async def delete(
    connection: Conn, origin: RequestOrigin, user_id: uuid.UUID, integration_id: uuid.UUID
) -> None:
    async with connection.transaction():
        organization_id = await managed(connection, user_id, integration_id)
        await integrations.delete(connection, integration_id)
        await record_action(
            connection, origin, user_id, organization_id, "integration.delete", integration_id, {}
        )


async def managed(connection: Conn, user_id: uuid.UUID, integration_id: uuid.UUID) -> uuid.UUID:
    """The integration's organisation, if the caller may manage it (404 for a non-member)."""
    organization_id = await integrations.organization_of(connection, integration_id)
    await authorize_object(
        connection, user_id, organization_id, Permission.INTEGRATIONS_MANAGE, NO_INTEGRATION
    )
    assert organization_id is not None
    return organization_id


async def usable(
    connection: Conn,
    vault: Vault,
    organization_id: uuid.UUID,
    reference: Any,
    type_: IntegrationType,
) -> Usable:
    """The integration a node names (`reference`, its id), if the node's organisation owns
    it, it is of `type_` and `configured` (not disabled, its last test did not fail);
    IntegrationUnusable otherwise."""
    try:
        integration_id = uuid.UUID(str(reference))
    except ValueError:
        raise IntegrationUnusable("config.integration must be an integration's id.") from None
    found = await integrations.credentials(connection, integration_id)
    if found is None or found.organization_id != organization_id:
        raise IntegrationUnusable(f"No integration {integration_id} in this organization.")
    if found.type != type_:
        raise IntegrationUnusable(f"Integration {integration_id} is not of type {type_}.")
    if found.status != IntegrationStatus.CONFIGURED:
        raise IntegrationUnusable(f"Integration {integration_id} is {found.status}.")
    secrets = json.loads(vault.decrypt(found.secrets)) if found.secrets else {}
    return Usable(found.id, found.provider, {**found.configuration, **secrets})
