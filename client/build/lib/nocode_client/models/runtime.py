"""Runtime's answers: apps, their plans and generations, deployments and their logs."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from nocode_client.models.common import ApiModel

FINISHED_RUN = frozenset({"success", "failed", "cancelled"})
FINISHED_STEP = frozenset({"success", "failed", "skipped", "cancelled"})


class ProjectSummary(ApiModel):
    id: UUID
    name: str
    organization_id: UUID


class App(ApiModel):
    id: UUID
    project: ProjectSummary
    name: str
    status: str  # draft, generated, deployment_pending, deployed, deployment_failed, error
    version: str | None
    latest_version: str | None
    regeneration_required: bool
    environment: str
    commit: str | None
    error_message: str | None
    generation_task_id: int | None
    api_base_url: str | None
    admin_url: str | None
    repository_url: str
    created_at: datetime
    updated_at: datetime


class PlannedChange(ApiModel):
    kind: str
    path: str
    detail: str
    refusal: str | None


class AppPlan(ApiModel):
    from_version: str
    to_version: str
    changes: list[PlannedChange]
    migration_sql: str | None
    requires_force: bool
    refused: bool
    warnings: list[str]


class Regeneration(ApiModel):
    app_id: UUID
    generation_task_id: int
    version: str


class DeploymentStarted(ApiModel):
    deployment_id: UUID
    kind: str  # deployment, rollback
    app_id: UUID
    environment: str
    target: str
    deployment_steps: list[str]


class Step(ApiModel):
    step: str
    status: str  # pending, running, success, failed, skipped, cancelled
    started_at: datetime | None
    completed_at: datetime | None
    duration: str | None
    details: str

    @property
    def finished(self) -> bool:
        return self.status in FINISHED_STEP


class LogLine(ApiModel):
    at: datetime
    step: str
    status: str
    message: str


class DeploymentSummary(ApiModel):
    """A deployment or rollback, as the list of deployment logs shows it."""

    id: UUID
    kind: str
    status: str  # pending, running, success, failed, cancelled
    environment: str
    version: str | None
    commit: str | None
    created_at: datetime
    started_at: datetime | None
    completed_at: datetime | None
    error_code: str | None
    error_message: str | None

    @property
    def finished(self) -> bool:
        return self.status in FINISHED_RUN


class Deployment(DeploymentSummary):
    """One deployment log with its steps and log lines."""

    steps: list[Step]
    logs: list[LogLine]
    rollback_available: bool


class AppStatus(ApiModel):
    app_id: UUID
    name: str
    status: str
    environment: str
    health_status: dict[str, Any]
    performance: dict[str, Any]
    api_url: str | None


class AppToken(ApiModel):
    token: str
    expires_in: int
    api_base_url: str
    role: str
