"""The closed sets of seed 004, as the CHECK constraints of 0600_automation.sql spell them,
and the workflow settings every part reads."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from control_plane.runs.models import RunStatus


class WorkflowStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    INACTIVE = "inactive"
    SCHEDULED = "scheduled"


class TriggerType(StrEnum):
    WEBHOOK = "webhook"
    CRON = "cron"
    MANUAL = "manual"
    EVENT = "event"
    API_CALL = "api_call"


class IntegrationType(StrEnum):
    EMAIL = "email"
    MESSAGING = "messaging"
    STORAGE = "storage"
    DATABASE = "database"
    PAYMENT = "payment"
    ANALYTICS = "analytics"


class ExecutionStatus(StrEnum):
    """Seed 004's statuses of an execution, read from its run's."""

    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @classmethod
    def of_run(cls, status: RunStatus) -> ExecutionStatus:
        return _OF_RUN[status]


_OF_RUN = {
    RunStatus.PENDING: ExecutionStatus.RUNNING,
    RunStatus.RUNNING: ExecutionStatus.RUNNING,
    RunStatus.SUCCESS: ExecutionStatus.COMPLETED,
    RunStatus.FAILED: ExecutionStatus.FAILED,
    RunStatus.CANCELLED: ExecutionStatus.CANCELLED,
}


class Notifications(BaseModel):
    model_config = ConfigDict(extra="forbid")

    on_success: bool = False
    on_failure: bool = False
    email: EmailStr | None = None


class WorkflowSettings(BaseModel):
    """A workflow's `settings` (stored as given, defaults filled in)."""

    model_config = ConfigDict(extra="forbid")

    timeout_seconds: int = Field(default=300, ge=1, le=86_400)
    retry_on_failure: bool = False
    max_retries: int = Field(default=3, ge=0, le=10)
    notifications: Notifications = Field(default_factory=Notifications)
