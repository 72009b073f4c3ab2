"""`/integrations/`: an organisation's external services (seed 004). Secrets are
write-only (`<key>_configured: true`); `webhook/` takes the providers' signed calls."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Request, status

from control_plane.automation.models.integrations import (
    IntegrationCreate,
    IntegrationPublic,
    IntegrationUpdate,
    WebhookReceived,
)
from control_plane.automation.queries import integrations as queries
from control_plane.automation.services import (
    integration_health,
    integration_webhooks,
    integrations,
)
from control_plane.config import vault_of
from control_plane.foundation.api.deps import AppSettings, Caller, Connection, Origin, Pagination
from control_plane.foundation.permissions import Permission, authorize
from control_plane.pagination import Page, fetch_page

router = APIRouter(prefix="/integrations", tags=["integrations"])


@router.get("/")
async def list_integrations(
    organization: uuid.UUID,
    caller: Caller,
    request: Request,
    connection: Connection,
    pagination: Pagination,
    settings: AppSettings,
) -> Page[IntegrationPublic]:
    await authorize(connection, caller.id, organization, Permission.AUTOMATION_READ)
    values = {"organization": organization}
    page = await fetch_page(connection, request, pagination, queries.OF_ORGANIZATION, values)
    return page.map(lambda row: integrations.public(row, settings.public_url))


@router.post("/", status_code=status.HTTP_201_CREATED)
async def create_integration(
    body: IntegrationCreate,
    caller: Caller,
    origin: Origin,
    connection: Connection,
    settings: AppSettings,
) -> IntegrationPublic:
    vault = vault_of(settings)
    integration_id = await integrations.create(connection, origin, caller.id, body, vault)
    row = await integrations.get(connection, caller.id, integration_id)
    return integrations.public(row, settings.public_url)


@router.get("/{integration_id}/")
async def get_integration(
    integration_id: uuid.UUID, caller: Caller, connection: Connection, settings: AppSettings
) -> IntegrationPublic:
    row = await integrations.get(connection, caller.id, integration_id)
    return integrations.public(row, settings.public_url)


@router.put("/{integration_id}/")
async def update_integration(
    integration_id: uuid.UUID,
    body: IntegrationUpdate,
    caller: Caller,
    origin: Origin,
    connection: Connection,
    settings: AppSettings,
) -> IntegrationPublic:
    changes = body.model_dump(exclude_unset=True)
    vault = vault_of(settings)
    await integrations.update(connection, origin, caller.id, integration_id, changes, vault)
    row = await integrations.get(connection, caller.id, integration_id)
    return integrations.public(row, settings.public_url)


@router.delete("/{integration_id}/", status_code=status.HTTP_204_NO_CONTENT)
async def delete_integration(
    integration_id: uuid.UUID, caller: Caller, origin: Origin, connection: Connection
) -> None:
    await integrations.delete(connection, origin, caller.id, integration_id)


@router.post("/{integration_id}/test/")
async def test_integration(
    integration_id: uuid.UUID,
    caller: Caller,
    origin: Origin,
    connection: Connection,
    settings: AppSettings,
) -> IntegrationPublic:
    """Check the connection for real; the answer's `health_status` says what was found."""
    await integration_health.check(connection, origin, caller.id, integration_id, settings)
    row = await integrations.get(connection, caller.id, integration_id)
    return integrations.public(row, settings.public_url)


@router.post("/{integration_id}/webhook/", status_code=status.HTTP_202_ACCEPTED)
async def receive_webhook(
    integration_id: uuid.UUID,
    request: Request,
    connection: Connection,
    settings: AppSettings,
    signature: Annotated[str | None, Header(alias=integration_webhooks.SIGNATURE_HEADER)] = None,
) -> WebhookReceived:
    """A provider's call, signed with the integration's `webhook_secret`: HMAC-SHA256 of
    the raw body, as `X-Nocode-Signature: sha256=<hex>`; 401 otherwise."""
    body = await request.body()
    vault = vault_of(settings)
    event_id = await integration_webhooks.receive(
        connection, vault, integration_id, body, signature
    )
    return WebhookReceived(event_id=event_id)
