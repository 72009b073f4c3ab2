"""Drive one execution: walk it, and write what happened.

Writes (control_plane/automation/queries/executions.py SAVE, one statement each):
- before a node with side effects starts (its step `running`, the state naming it
  `in_flight`), so that a crash during it is known when the execution resumes;
- when the execution waits (a delay, a retry's backoff), with the job that resumes it;
- at the end, with the run's final status, in one transaction with the notification mail.
Steps of nodes without side effects are batched into the next of these writes: a crash
before it loses them, and the resumed execution runs them again (they only compute).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg_pool import AsyncConnectionPool

from control_plane.automation.engine.nodes import NodeServices
from control_plane.automation.engine.plan import Plan
from control_plane.automation.engine.state import ExecutionState
from control_plane.automation.engine.walker import (
    Execution,
    ExecutionFailed,
    Stopped,
    Suspend,
    Walker,
    now,
)
from control_plane.automation.models.common import ExecutionStatus, WorkflowSettings
from control_plane.automation.queries import executions
from control_plane.config import Settings
from control_plane.db import Conn
from control_plane.jobs import enqueue
from control_plane.mail.sending import send_later
from control_plane.runs.models import RunStatus, StepStatus
from control_plane.runs.services import ledger

# A job that resumes an execution may run this long after its deadline (to fail it).
JOB_GRACE_SECONDS = 60


@dataclass(frozen=True)
class Record:
    """The execution's facts as its rows hold them."""

    trigger_type: str
    mode: str
    execution_context: dict[str, Any]
    performed_by: uuid.UUID | None
    started_at: datetime
    workflow_name: str
    settings: WorkflowSettings


@dataclass(frozen=True)
class ExecutionResult:
    execution_id: uuid.UUID
    status: ExecutionStatus
    output_data: dict[str, Any] | None
    error_code: str | None
    error_message: str | None


@dataclass
class Driver:
    pool: AsyncConnectionPool[Conn]
    settings: Settings
    plan: Plan
    execution: Execution
    record: Record
    state: ExecutionState
    owner: int | None  # the job writing this run; None: this process, inline
    lease_until: datetime | None = None

    async def drive(self) -> ExecutionResult:
        services = NodeServices(self.pool, self.settings, self._log)
        walker = Walker(self.plan, self.execution, self.state, services, lambda: self._save(walker))
        try:
            output = await walker.run()
        except Suspend as suspended:
            await self._suspend(walker, suspended.resume_at)
            return self._result(ExecutionStatus.RUNNING)
        except ExecutionFailed as failed:
            if not await self._finish(walker, RunStatus.FAILED, None, failed.code, str(failed)):
                return self._result(ExecutionStatus.CANCELLED)
            return self._result(ExecutionStatus.FAILED, None, failed.code, str(failed))
        except Stopped:  # cancelled, or taken over by another writer
            return self._result(ExecutionStatus.CANCELLED)
        if not await self._finish(walker, RunStatus.SUCCESS, output):
            return self._result(ExecutionStatus.CANCELLED)
        return self._result(ExecutionStatus.COMPLETED, output)

    def _result(
        self,
        status: ExecutionStatus,
        output: dict[str, Any] | None = None,
        code: str | None = None,
        message: str | None = None,
    ) -> ExecutionResult:
        return ExecutionResult(self.execution.run_id, status, output, code, message)

    async def _log(self, message: str) -> None:
        async with self.pool.connection() as connection:
            await ledger.log(connection, self.execution.run_id, message)

    async def claim(self) -> None:
        """Write the run as running under this driver's lease, before any node runs."""
        async with self.pool.connection() as connection:
            await executions.save(connection, self._values(None, RunStatus.RUNNING))

    def _values(
        self,
        walker: Walker | None,
        status: RunStatus,
        output: dict[str, Any] | None = None,
        code: str | None = None,
        message: str | None = None,
    ) -> dict[str, Any]:
        finished = status.finished
        return {
            "run": self.execution.run_id,
            "organization": self.execution.organization_id,
            "workflow": self.execution.workflow_id,
            "status": status,
            "performed_by": self.record.performed_by,
            "error_code": code,
            "error_message": message,
            "started_at": self.record.started_at,
            "completed_at": now() if finished else None,
            "owner": self.owner,
            "trigger_type": self.record.trigger_type,
            "mode": self.record.mode,
            "input_data": executions.jsonb(dict(self.execution.input_data)),
            "execution_context": executions.jsonb(self.record.execution_context),
            "output_data": executions.jsonb(output),
            "execution_path": executions.jsonb(walker.path if walker else []),
            # A finished execution keeps what a retry from its failed node needs.
            "state": executions.jsonb({} if status is RunStatus.SUCCESS else self.state.as_json()),
            "deadline_at": self.execution.deadline_at,
            "lease": None if finished else self.lease_until,
            "steps": executions.jsonb(
                [step.as_json() for step in walker.steps.values()] if walker else []
            ),
        }

    async def _write(self, connection: Conn, walker: Walker, values: dict[str, Any]) -> bool:
        if not await executions.save(connection, values):
            return False
        # A running step (a node with side effects, a delay) is written again when it ends.
        walker.steps = {
            position: step
            for position, step in walker.steps.items()
            if step.status is StepStatus.RUNNING
        }
        return True

    async def _save(self, walker: Walker) -> bool:
        async with self.pool.connection() as connection:
            return await self._write(connection, walker, self._values(walker, RunStatus.RUNNING))

    async def _suspend(self, walker: Walker, resume_at: datetime) -> None:
        """Save, and leave the rest to a job that starts at `resume_at`."""
        from control_plane.automation.jobs.executions import resume  # the job imports us

        timeout = (self.execution.deadline_at - resume_at).total_seconds() + JOB_GRACE_SECONDS
        async with self.pool.connection() as connection, connection.transaction():
            values = self._values(walker, RunStatus.RUNNING) | {"lease": None}
            if not await self._write(connection, walker, values):
                return
            job_id = await enqueue(
                connection, resume, {"run_id": str(self.execution.run_id)},
                organization_id=self.execution.organization_id, schedule_at=resume_at,
                timeout_seconds=max(timeout, JOB_GRACE_SECONDS),
            )  # fmt: skip
            await executions.hand_over(connection, self.execution.run_id, job_id)

    async def _finish(
        self,
        walker: Walker,
        status: RunStatus,
        output: dict[str, Any] | None,
        code: str | None = None,
        message: str | None = None,
    ) -> bool:
        """Write the end; False when the run was no longer this driver's (cancelled)."""
        values = self._values(walker, status, output, code, message)
        notify = self._notification(status, message)
        if notify is None:
            async with self.pool.connection() as connection:
                return await self._write(connection, walker, values)
        async with self.pool.connection() as connection, connection.transaction():
            if not await self._write(connection, walker, values):
                return False
            await send_later(connection, *notify)
            return True

    def _notification(self, status: RunStatus, message: str | None) -> tuple[str, str, str] | None:
        """(recipient, subject, body) of the mail the workflow's settings ask for, if any."""
        wanted = self.record.settings.notifications
        if self.record.mode != "live" or wanted.email is None:
            return None
        subject = f"Workflow {self.record.workflow_name}: execution"
        run = self.execution.run_id
        if status is RunStatus.SUCCESS and wanted.on_success:
            return wanted.email, f"{subject} completed", f"Execution {run} completed."
        if status is RunStatus.FAILED and wanted.on_failure:
            return wanted.email, f"{subject} failed", f"Execution {run} failed: {message}"
        return None
