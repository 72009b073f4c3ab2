"""The closed sets of the ledger, as the CHECK constraints of 0400_runs.sql spell them."""

from __future__ import annotations

from enum import StrEnum


class RunKind(StrEnum):
    DEPLOYMENT = "deployment"
    ROLLBACK = "rollback"
    WORKFLOW = "workflow"
    PAAS_DEPLOYMENT = "paas_deployment"  # control_plane/paas: a machine made, an app on it
    PAAS_DELETION = "paas_deletion"  # and the machine destroyed


class RunStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    SUCCESS = "success"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def finished(self) -> bool:
        return self in (RunStatus.SUCCESS, RunStatus.FAILED, RunStatus.CANCELLED)


class StepStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    SUCCESS = "success"
    FAILED = "failed"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"
