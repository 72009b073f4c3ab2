"""Deployment targets: an organisation's SSH hosts (ADMIN and OWNER manage them). The
private key is encrypted at rest (platform_support.vault) and never returned. One target
at most lists an environment; an environment no target lists deploys to the local target.
"""

from __future__ import annotations

import uuid
from typing import Any

import psycopg

from control_plane.db import Conn
from control_plane.errors import CONFLICT, ApiError
from control_plane.foundation.permissions import Permission, authorize, authorize_object
from control_plane.foundation.queries import organizations
from control_plane.foundation.services.audit import RequestOrigin, record_action
from control_plane.runtime.models.deployments import TargetCreate, TargetPublic
from control_plane.runtime.queries import targets
from platform_support.vault import Vault

NO_TARGET = {"target": "No such target."}


async def get(connection: Conn, user_id: uuid.UUID, target_id: uuid.UUID) -> TargetPublic:
    target = await targets.one(connection, target_id)
    organization_id = target.organization_id if target else None
    await authorize_object(
        connection, user_id, organization_id, Permission.TARGETS_MANAGE, NO_TARGET
    )
    assert target is not None
    return target


async def _check_environments(
    connection: Conn,
    organization_id: uuid.UUID,
    environments: list[str] | None,
    target_id: uuid.UUID | None,
) -> None:
    """One target per environment: the organisation's row is locked, so that two requests
    at once cannot both claim one."""
    if not environments:
        return
    await organizations.lock(connection, organization_id)
    others = await targets.claiming(connection, organization_id, environments, target_id)
    if others:
        raise ApiError(
            CONFLICT, {"environments": f"Already deployed to by the target {others[0]!r}."}
        )


def _stored(changes: dict[str, Any], vault: Vault) -> dict[str, Any]:
    """The columns' values: the key encrypted, environments as text."""
    stored = dict(changes)
    if changes.get("private_key") is not None:
        stored["private_key"] = vault.encrypt(changes["private_key"])
    if changes.get("environments") is not None:
        stored["environments"] = [str(name) for name in changes["environments"]]
    return stored


def _name_taken() -> ApiError:
    return ApiError(CONFLICT, {"name": "The organization has a target of that name."})


async def create(
    connection: Conn, origin: RequestOrigin, user_id: uuid.UUID, body: TargetCreate, vault: Vault
) -> TargetPublic:
    values = _stored(body.model_dump(exclude={"organization_id"}), vault)
    try:
        async with connection.transaction():
            await authorize(connection, user_id, body.organization_id, Permission.TARGETS_MANAGE)
            await _check_environments(
                connection, body.organization_id, values["environments"], None
            )
            target_id = await targets.insert(connection, body.organization_id, values)
            await _audit(
                connection, origin, user_id, body.organization_id, "create", target_id, values
            )
            target = await targets.one(connection, target_id)
    except psycopg.errors.UniqueViolation:
        raise _name_taken() from None
    assert target is not None
    return target


async def update(
    connection: Conn,
    origin: RequestOrigin,
    user_id: uuid.UUID,
    target_id: uuid.UUID,
    changes: dict[str, Any],
    vault: Vault,
) -> TargetPublic:
    values = _stored(changes, vault)
    try:
        async with connection.transaction():
            target = await get(connection, user_id, target_id)
            await _check_environments(
                connection, target.organization_id, values.get("environments"), target_id
            )
            await targets.update(connection, target_id, values)
            await _audit(
                connection, origin, user_id, target.organization_id, "update", target_id, values
            )
            updated = await targets.one(connection, target_id)
    except psycopg.errors.UniqueViolation:
        raise _name_taken() from None
    assert updated is not None
    return updated


async def delete(
    connection: Conn, origin: RequestOrigin, user_id: uuid.UUID, target_id: uuid.UUID
) -> None:
    async with connection.transaction():
        target = await get(connection, user_id, target_id)
        if await targets.serving(connection, target_id):
            raise ApiError(
                CONFLICT, {"target": "Apps are deployed to it: deploy them elsewhere first."}
            )
        await targets.delete(connection, target_id)
        await _audit(connection, origin, user_id, target.organization_id, "delete", target_id, {})


async def _audit(
    connection: Conn,
    origin: RequestOrigin,
    user_id: uuid.UUID,
    organization_id: uuid.UUID,
    action: str,
    target_id: uuid.UUID,
    values: dict[str, Any],
) -> None:
    fields = {"fields": sorted(values)}  # names only: never the key
    await record_action(
        connection, origin, user_id, organization_id, f"target.{action}", target_id, fields
    )
