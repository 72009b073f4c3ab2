"""Answers of the trigger endpoints (seed 004): activate, deactivate, the webhook's secret,
and a webhook call."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from control_plane.automation.models.common import ExecutionStatus, WorkflowStatus


class ActivationPublic(BaseModel):
    message: str
    workflow_id: uuid.UUID
    status: WorkflowStatus
    activated_at: datetime
    webhook_url: str | None
    # A webhook workflow's secret, shown once: at its first activation (renew it with
    # POST /workflows/{id}/webhook-secret/).
    webhook_secret: str | None


class DeactivationPublic(BaseModel):
    message: str
    workflow_id: uuid.UUID
    status: WorkflowStatus
    deactivated_at: datetime


class WebhookSecretPublic(BaseModel):
    workflow_id: uuid.UUID
    webhook_url: str
    webhook_secret: str


class WebhookAccepted(BaseModel):
    """202: the execution runs as a job."""

    execution_id: uuid.UUID
    workflow_id: uuid.UUID
    status: ExecutionStatus
    started_at: datetime


class WebhookFinished(BaseModel):
    """200: the execution ran to its end while the caller waited."""

    execution_id: uuid.UUID
    workflow_id: uuid.UUID
    status: ExecutionStatus
    output_data: dict[str, Any] | None
