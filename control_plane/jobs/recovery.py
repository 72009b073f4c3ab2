"""Crash recovery: jobs left running by a worker that stopped sending heartbeats.

procrastinate records each worker's heartbeat and lists the running jobs of workers
silent for longer than a threshold. Each such job is treated as failed by `WorkerLost`,
so its kind's retry rule applies: retried with backoff, or failed when out of attempts.
One worker at a time does this (an advisory lock), so no job is recovered twice, and
procrastinate refuses to move a job that has succeeded or been cancelled meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import procrastinate
from procrastinate.exceptions import ConnectorException
from procrastinate.jobs import Job, Status
from psycopg import AsyncConnection
from psycopg import Error as DatabaseError

from control_plane.jobs.execution import Pool, WorkerLost, finish_attempt

logger = logging.getLogger("control_plane.jobs.recovery")

RECOVERY_LOCK = 7_112_002  # beside the migration lock, 7_112_001


async def _recover(
    app: procrastinate.App, connection: AsyncConnection[Any], job: Job, lost: WorkerLost
) -> None:
    assert job.id is not None
    task = app.tasks.get(job.task_name)
    strategy = task.retry_strategy if task else None
    decision = strategy.get_retry_decision(exception=lost, job=job) if strategy else None
    if decision:
        await app.job_manager.retry_job(job, retry_at=decision.retry_at)
    else:
        await app.job_manager.finish_job_by_id_async(job.id, status=Status.FAILED, delete_job=False)
    await finish_attempt(connection, job.id, job.attempts + 1, lost)


async def recover_stalled_jobs(
    app: procrastinate.App, pool: Pool, stalled_seconds: float
) -> list[int]:
    """Retry or fail the running jobs of silent workers; return their ids."""
    recovered: list[int] = []
    lost = WorkerLost(f"no heartbeat from its worker for {stalled_seconds:g} s")
    async with pool.connection() as connection:
        cursor = await connection.execute("SELECT pg_try_advisory_lock(%s)", (RECOVERY_LOCK,))
        locked = await cursor.fetchone()
        if not (locked and locked[0]):
            return recovered  # another worker is at it
        try:
            for job in await app.job_manager.get_stalled_jobs(
                seconds_since_heartbeat=stalled_seconds
            ):
                assert job.id is not None
                try:
                    await _recover(app, connection, job, lost)
                except ConnectorException:
                    # Its worker was only slow, and finished the job in between.
                    logger.info("job %s finished before it could be recovered", job.id)
                    continue
                logger.warning("recovered job %s from a silent worker", job.id)
                recovered.append(job.id)
        finally:
            await connection.execute("SELECT pg_advisory_unlock(%s)", (RECOVERY_LOCK,))
    return recovered


async def recover_forever(
    app: procrastinate.App, pool: Pool, stalled_seconds: float, every_seconds: float
) -> None:
    while True:
        try:
            await recover_stalled_jobs(app, pool, stalled_seconds)
        except (ConnectorException, DatabaseError):
            # The database is away: the worker's own loop reports that; try again later.
            logger.exception("stalled-job recovery failed")
        await asyncio.sleep(every_seconds)
