"""`automation.execute`: run or resume one execution (payload `{"run_id"}`): its first
run, the end of a delay, a retry's backoff, or after the worker running it died (the queue
runs the job again: the execution replays from its saved state).

`automation.recover`, a pass every worker runs every 5 s (control_plane/jobs/passes.py),
hands to a job the executions whose writer is
gone: an inline run whose process outlived its lease, or a job the queue gave up on."""

from __future__ import annotations

import uuid
from typing import Any

from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from control_plane.automation.queries import executions
from control_plane.automation.services import executions as service
from control_plane.config import get_settings
from control_plane.jobs import JobContext, enqueue, registry
from control_plane.runs.models import RunStatus
from control_plane.runs.services import ledger

LOST = "WORKER_LOST"


@registry.kind("automation.execute", max_attempts=5, timeout_seconds=86_400, backoff_seconds=1)
async def resume(context: JobContext) -> None:
    run_id = uuid.UUID(context.payload["run_id"])
    await service.resume(context.pool, get_settings(), run_id, context.job_id)


@registry.repeat("automation.recover", every_seconds=5)
async def recover(pool: AsyncConnectionPool[AsyncConnection[Any]]) -> None:
    async with pool.connection() as connection, connection.transaction():
        for orphan in await executions.orphans(connection):
            if orphan.job_id is None:  # an inline run: a job takes it over
                job_id = await enqueue(connection, resume, {"run_id": str(orphan.run_id)})
                await executions.hand_over(connection, orphan.run_id, job_id)
                continue
            await executions.cancel_steps(connection, orphan.run_id)
            await ledger.finish_run(
                connection, orphan.run_id, RunStatus.FAILED, error_code=LOST,
                error_message=f"its job stopped ({orphan.job_status}) before it ended",
            )  # fmt: skip
