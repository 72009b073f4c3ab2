"""`POST /workflows/{id}/trigger/`: the webhook of a webhook workflow (seed 004's
`webhook_url`), called with its secret, not a user token (services/webhooks.py)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, status
from fastapi.responses import JSONResponse

from control_plane.automation.models.triggers import WebhookAccepted, WebhookFinished
from control_plane.automation.services import webhooks
from control_plane.foundation.api.deps import AppSettings

router = APIRouter(prefix="/workflows", tags=["automation triggers"])


@router.post(
    "/{workflow_id}/trigger/",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=WebhookAccepted,
    responses={200: {"model": WebhookFinished}},
)
async def trigger_workflow(
    workflow_id: uuid.UUID, request: Request, settings: AppSettings
) -> JSONResponse:
    """202 with the execution's id; 200 with its output when the workflow's
    trigger_config says `"respond": "when_last_node_finishes"`."""
    outcome = await webhooks.trigger(
        request.app.state.pool, settings, workflow_id, await request.body(), request.headers
    )
    code = status.HTTP_200_OK if isinstance(outcome, WebhookFinished) else status.HTTP_202_ACCEPTED
    return JSONResponse(outcome.model_dump(mode="json"), status_code=code)
