"""Cron triggers: the ticks of every active cron workflow, each written once in
`automation_cron_ticks` with the execution it starts at its due time.

Every worker runs the dispatcher (jobs/triggers.py) every few seconds; each run writes the
ticks due within the next LOOK_AHEAD, and the execution of each as a job that starts at
that time. A tick is a row keyed by (workflow, due time), inserted ON CONFLICT DO NOTHING
in the transaction that starts its execution, so two dispatchers seeing the same tick start
one execution. Ticks are computed in UTC with croniter (5 fields, or 6 with seconds last).
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime, timedelta

from croniter import croniter
from psycopg_pool import AsyncConnectionPool

from control_plane.automation.models.common import TriggerType
from control_plane.automation.queries import cron_ticks, triggers
from control_plane.automation.queries.triggers import CronWorkflow
from control_plane.automation.services import executions
from control_plane.db import Conn
from control_plane.errors import ApiError
from control_plane.jobs import cancel
from control_plane.runs.models import RunStatus
from control_plane.runs.services import ledger

logger = logging.getLogger("control_plane.automation.cron")

# Longer than the dispatcher's period (jobs/triggers.py), so that a late or failed pass
# leaves no tick unwritten.
LOOK_AHEAD = timedelta(seconds=15)
# A tick missed while no dispatcher ran (every worker down) still runs, late, if it is at
# most this old; of several, only the latest (as the job system's own schedules do).
CATCH_UP = timedelta(minutes=10)
MAX_TICKS_PER_PASS = 100


def due_times(cron: str, after: datetime, until: datetime) -> list[datetime]:
    """The times `cron` names in (after, until], at most MAX_TICKS_PER_PASS (a cron of
    every second writes 15 a pass)."""
    times: list[datetime] = []
    schedule = croniter(cron, after)
    while len(times) < MAX_TICKS_PER_PASS:
        due: datetime = schedule.get_next(datetime)
        if due > until:
            break
        times.append(due)
    return times


def _to_write(cron: str, after: datetime, now: datetime) -> list[datetime]:
    """The latest tick due by `now` (if after `after`: written already, or missed), and
    those of the look-ahead window."""
    latest: datetime = croniter(cron, now + timedelta(microseconds=1)).get_prev(datetime)
    coming = due_times(cron, max(after, now), now + LOOK_AHEAD)
    return ([latest] if latest > after else []) + coming


async def schedule_coming(connection: Conn, workflow: CronWorkflow, now: datetime) -> int:
    """Write the workflow's ticks of the window and start their executions, in the
    caller's transaction; how many were new."""
    after = max(workflow.activated_at, now - CATCH_UP)
    started = 0
    for due in _to_write(workflow.cron, after, now):
        if not await cron_ticks.insert(connection, workflow.id, due):
            continue  # written by another dispatcher
        execution = await executions.start(
            connection,
            workflow.id,
            trigger_type=TriggerType.CRON,
            input_data={"scheduled_for": due.isoformat()},
            execution_context={"cron": workflow.cron, "due_at": due.isoformat()},
            performed_by=workflow.activated_by,
            start_at=due if due > now else None,
        )
        await cron_ticks.set_run(connection, workflow.id, due, execution.execution_id)
        started += 1
    return started


async def dispatch(pool: AsyncConnectionPool[Conn]) -> None:
    """One pass over the active cron workflows: one transaction each, holding the
    workflow's row so that a deactivation waits for it, then cancels what it wrote."""
    async with pool.connection() as connection:
        for workflow in await triggers.cron_workflows(connection):
            try:
                async with connection.transaction():
                    locked = await triggers.lock_cron_workflow(connection, workflow.id)
                    if locked is not None:
                        await schedule_coming(connection, locked, datetime.now(UTC))
            except ApiError as error:  # its graph changed since it was activated
                logger.warning("cron workflow %s cannot start: %s", workflow.id, error)
        await cron_ticks.prune(connection)


async def cancel_coming(connection: Conn, workflow_id: uuid.UUID) -> None:
    """Drop the ticks not due yet and cancel their waiting executions (the workflow is
    being deactivated: call it in that transaction)."""
    for tick in await cron_ticks.delete_coming(connection, workflow_id):
        if tick.run_id is not None:
            await ledger.finish_run(
                connection,
                tick.run_id,
                RunStatus.CANCELLED,
                error_message="its workflow was deactivated",
            )
        if tick.job_id is not None:
            await cancel(connection, tick.job_id)
