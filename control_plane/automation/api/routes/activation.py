"""`/workflows/{id}/activate/`, `/deactivate/` and `/webhook-secret/` (seed 004): a
workflow's trigger turned on and off, and its webhook secret renewed."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from control_plane.automation.api.deps import Services
from control_plane.automation.models.triggers import (
    ActivationPublic,
    DeactivationPublic,
    WebhookSecretPublic,
)
from control_plane.automation.services import activation
from control_plane.foundation.api.deps import AppSettings, Caller, Connection, Origin

router = APIRouter(prefix="/workflows", tags=["automation triggers"])


@router.post("/{workflow_id}/activate/")
async def activate_workflow(
    workflow_id: uuid.UUID,
    caller: Caller,
    origin: Origin,
    connection: Connection,
    services: Services,
) -> ActivationPublic:
    """Validate, then turn the trigger on (`active`; `scheduled` for cron). A webhook
    workflow's first activation answers its secret, once."""
    return await activation.activate(connection, origin, caller.id, workflow_id, services)


@router.post("/{workflow_id}/deactivate/")
async def deactivate_workflow(
    workflow_id: uuid.UUID, caller: Caller, origin: Origin, connection: Connection
) -> DeactivationPublic:
    return await activation.deactivate(connection, origin, caller.id, workflow_id)


@router.post("/{workflow_id}/webhook-secret/")
async def renew_webhook_secret(
    workflow_id: uuid.UUID,
    caller: Caller,
    origin: Origin,
    connection: Connection,
    settings: AppSettings,
) -> WebhookSecretPublic:
    """A new secret for a webhook workflow, answered once; the old one stops working."""
    return await activation.renew_webhook_secret(
        connection, origin, caller.id, workflow_id, settings
    )
