"""Start executions (by a job, or inline in the calling process), and resume them.

`start` writes the run, its execution row and its job in the caller's transaction;
`run_inline` runs the execution here and writes it once at the end when no node has
side effects, and `start_inline` writes the run at once and runs it here in the
background (control_plane/automation/engine/runner.py says when else it writes). A
process that dies during an inline run leaves a lease that runs out: the recovery job
(jobs/executions.py) then hands the execution to a job, which resumes or fails it.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from psycopg_pool import AsyncConnectionPool

from control_plane.automation.engine import plans
from control_plane.automation.engine.plan import Plan, PlanError
from control_plane.automation.engine.runner import (
    JOB_GRACE_SECONDS,
    Driver,
    ExecutionResult,
    Record,
)
from control_plane.automation.engine.state import ExecutionState
from control_plane.automation.engine.walker import Execution, RetryPolicy, now
from control_plane.automation.errors import INVALID_DATA, WORKFLOW_NOT_FOUND
from control_plane.automation.models.common import ExecutionStatus, WorkflowSettings
from control_plane.automation.queries import executions
from control_plane.automation.queries.executions import ExecutionRow, WorkflowFacts
from control_plane.config import Settings
from control_plane.db import Conn
from control_plane.errors import ApiError
from control_plane.jobs import enqueue
from control_plane.runs.models import RunKind, RunStatus
from control_plane.runs.services import ledger

logger = logging.getLogger(__name__)

# An inline run's process is taken for dead this long after the execution's deadline.
LEASE_GRACE_SECONDS = 10


@dataclass(frozen=True)
class ExecutionStarted:
    execution_id: uuid.UUID
    workflow_id: uuid.UUID
    status: ExecutionStatus
    started_at: datetime


async def _facts(connection: Conn, workflow_id: uuid.UUID) -> WorkflowFacts:
    workflow = await executions.workflow(connection, workflow_id)
    if workflow is None:
        raise ApiError(WORKFLOW_NOT_FOUND, {"workflow": "No such workflow."})
    return workflow


def _retry_policy(settings: Settings, workflow: WorkflowSettings) -> RetryPolicy | None:
    if not workflow.retry_on_failure:
        return None
    return RetryPolicy(workflow.max_retries, settings.automation_retry_backoff_seconds)


async def start(
    connection: Conn,
    workflow_id: uuid.UUID,
    *,
    trigger_type: str,
    input_data: dict[str, Any],
    execution_context: dict[str, Any],
    performed_by: uuid.UUID | None = None,
    mode: str = "live",
    start_at: datetime | None = None,
    state: ExecutionState | None = None,
    retry_of: uuid.UUID | None = None,
    retry_from_node: uuid.UUID | None = None,
) -> ExecutionStarted:
    """A new execution run by a job (at `start_at`, or at once). Call it inside the
    transaction of what started it: the run, its execution and its job commit together."""
    from control_plane.automation.jobs.executions import resume  # the job imports us

    workflow = await _facts(connection, workflow_id)
    run_id = await ledger.create_run(
        connection, workflow.organization_id, RunKind.WORKFLOW, performed_by=performed_by
    )
    await executions.insert(
        connection, run_id, workflow_id, trigger_type, mode, input_data, execution_context,
        (state or ExecutionState()).as_json(), retry_of, retry_from_node,
    )  # fmt: skip
    timeout = WorkflowSettings.model_validate(workflow.settings).timeout_seconds
    job_id = await enqueue(
        connection, resume, {"run_id": str(run_id)}, organization_id=workflow.organization_id,
        schedule_at=start_at, timeout_seconds=timeout + JOB_GRACE_SECONDS,
    )  # fmt: skip
    await ledger.attach_job(connection, run_id, job_id)
    return ExecutionStarted(run_id, workflow_id, ExecutionStatus.RUNNING, start_at or now())


async def run_inline(
    pool: AsyncConnectionPool[Conn],
    settings: Settings,
    workflow_id: uuid.UUID,
    *,
    trigger_type: str,
    input_data: dict[str, Any],
    execution_context: dict[str, Any],
    timeout_seconds: float,
    performed_by: uuid.UUID | None = None,
    mode: str = "live",
) -> ExecutionResult:
    """Run an execution in this process and return how it ended (`running` if it waits:
    a job goes on with it). The deadline is the sooner of the workflow's timeout and
    `timeout_seconds`."""
    driver = await _inline_driver(
        pool, settings, workflow_id, trigger_type, input_data, execution_context,
        timeout_seconds, performed_by, mode,
    )  # fmt: skip
    return await driver.drive()


async def start_inline(
    pool: AsyncConnectionPool[Conn],
    settings: Settings,
    workflow_id: uuid.UUID,
    *,
    trigger_type: str,
    input_data: dict[str, Any],
    execution_context: dict[str, Any],
    performed_by: uuid.UUID | None = None,
) -> ExecutionStarted:
    """Start an execution in this process without waiting for it: its run is written
    (running, under this process's lease) before this returns, so that the execution the
    caller is told of exists; the work goes on in a task of this process. Cheaper than a
    job by the queue's round trips; a process that dies leaves a lease that runs out, and
    the recovery hands the execution to a job, as for run_inline."""
    driver = await _inline_driver(
        pool, settings, workflow_id, trigger_type, input_data, execution_context,
        None, performed_by, "live",
    )  # fmt: skip
    await driver.claim()
    task = asyncio.create_task(driver.drive())
    _background.add(task)
    task.add_done_callback(_finished_in_background)
    return ExecutionStarted(
        driver.execution.run_id, workflow_id, ExecutionStatus.RUNNING, driver.record.started_at
    )


# The tasks of start_inline: held until they end (asyncio keeps only weak references).
_background: set[asyncio.Task[ExecutionResult]] = set()


def _finished_in_background(task: asyncio.Task[ExecutionResult]) -> None:
    _background.discard(task)
    if not task.cancelled() and task.exception() is not None:
        # The run keeps its lease: the recovery hands it to a job, which resumes or fails it.
        logger.error("a background execution stopped", exc_info=task.exception())


async def _inline_driver(
    pool: AsyncConnectionPool[Conn], settings: Settings, workflow_id: uuid.UUID,
    trigger_type: str, input_data: dict[str, Any], execution_context: dict[str, Any],
    timeout_seconds: float | None, performed_by: uuid.UUID | None, mode: str,
) -> Driver:  # fmt: skip
    async with pool.connection() as connection:
        workflow = await _facts(connection, workflow_id)
        plan = await checked_plan(connection, workflow)
    workflow_settings = WorkflowSettings.model_validate(workflow.settings)
    started = now()
    seconds: float = workflow_settings.timeout_seconds
    if timeout_seconds is not None:
        seconds = min(seconds, timeout_seconds)
    deadline = started + timedelta(seconds=seconds)
    execution, record = _execution_and_record(
        settings, workflow, workflow_settings, uuid.uuid4(), deadline,
        Record(trigger_type, mode, execution_context, performed_by, started, workflow.name,
               workflow_settings),
        input_data,
    )  # fmt: skip
    lease = deadline + timedelta(seconds=LEASE_GRACE_SECONDS)
    return Driver(pool, settings, plan, execution, record, ExecutionState(), None, lease)


async def checked_plan(connection: Conn, workflow: WorkflowFacts) -> Plan:
    """The plan of the workflow; AUTO_007 if it cannot run."""
    try:
        return await plans.plan_of(connection, workflow.id, workflow.updated_at)
    except PlanError as error:
        raise ApiError(INVALID_DATA, {"workflow": str(error)}) from None


async def resume(
    pool: AsyncConnectionPool[Conn], settings: Settings, run_id: uuid.UUID, job_id: int
) -> None:
    """Run, or go on with, the execution of `run_id` as its job `job_id`."""
    async with pool.connection() as connection:
        row = await executions.one(connection, run_id)
        if row is None or RunStatus(row.status).finished or row.job_id != job_id:
            return
        workflow = await executions.workflow(connection, row.workflow_id)
        if workflow is None:
            return
        try:
            plan = await plans.plan_of(connection, workflow.id, workflow.updated_at)
        except (PlanError, LookupError) as error:
            await ledger.finish_run(
                connection, run_id, RunStatus.FAILED, error_code=INVALID_DATA.code,
                error_message=str(error),
            )  # fmt: skip
            return
    await _driver(pool, settings, plan, workflow, row, job_id).drive()


def _driver(
    pool: AsyncConnectionPool[Conn], settings: Settings, plan: Plan,
    workflow: WorkflowFacts, row: ExecutionRow, job_id: int,
) -> Driver:  # fmt: skip
    workflow_settings = WorkflowSettings.model_validate(workflow.settings)
    started = row.started_at or now()
    deadline = row.deadline_at or started + timedelta(seconds=workflow_settings.timeout_seconds)
    execution, record = _execution_and_record(
        settings, workflow, workflow_settings, row.run_id, deadline,
        Record(row.trigger_type, row.mode, row.execution_context, row.performed_by, started,
               workflow.name, workflow_settings),
        row.input_data,
    )  # fmt: skip
    state = ExecutionState.of(row.state)
    return Driver(pool, settings, plan, execution, record, state, job_id)


def _execution_and_record(
    settings: Settings, workflow: WorkflowFacts, workflow_settings: WorkflowSettings,
    run_id: uuid.UUID, deadline: datetime, record: Record, input_data: dict[str, Any],
) -> tuple[Execution, Record]:  # fmt: skip
    """The walker's view of an execution, beside the record of its facts."""
    execution = Execution(
        run_id, workflow.id, workflow.organization_id, workflow.project_id, input_data,
        record.mode == "test", deadline, _retry_policy(settings, workflow_settings),
    )  # fmt: skip
    return execution, record
