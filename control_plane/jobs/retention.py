"""How long finished jobs are kept: the queue would otherwise grow by one row for every run
of every schedule (the automation dispatchers and recovery run every few seconds, tens of
thousands of rows a day).

Finished jobs (succeeded, failed, cancelled, aborted) of scheduled kinds go after
`SCHEDULED_JOB_HOURS`; every other finished job after `job_retention_days` (JOB_RETENTION_DAYS),
with its attempts, steps and log lines. A job a schedule still points at (procrastinate's
`procrastinate_periodic_defers` keeps the latest defer of each schedule) stays. Unfinished
jobs are never touched.
"""

from __future__ import annotations

from datetime import timedelta

from control_plane.config import get_settings
from control_plane.db import Conn
from control_plane.jobs.context import JobContext
from control_plane.jobs.kinds import registry

SCHEDULED_JOB_HOURS = 24
BATCH = 5_000

# The age of a job is that of its last event (procrastinate_events: deferred, started,
# succeeded...), as procrastinate's own delete_old_jobs reads it.
PRUNE = """
WITH old AS (
    SELECT job.id
    FROM procrastinate_jobs job
    WHERE job.status IN ('succeeded', 'failed', 'cancelled', 'aborted')
      AND NOT EXISTS (
          SELECT 1 FROM procrastinate_periodic_defers defer WHERE defer.job_id = job.id
      )
      AND (SELECT max(event.at) FROM procrastinate_events event WHERE event.job_id = job.id)
          < now() - CASE WHEN job.task_name = ANY(%(scheduled_kinds)s)
                         THEN %(scheduled_age)s ELSE %(age)s END
    ORDER BY job.id
    LIMIT %(batch)s
),
gone AS (DELETE FROM procrastinate_jobs WHERE id IN (SELECT id FROM old) RETURNING id),
attempts AS (DELETE FROM job_attempts WHERE job_id IN (SELECT id FROM gone)),
steps AS (DELETE FROM job_steps WHERE job_id IN (SELECT id FROM gone)),
lines AS (DELETE FROM job_log_lines WHERE job_id IN (SELECT id FROM gone))
SELECT count(*) FROM gone
"""


async def prune_finished_jobs(
    connection: Conn,
    scheduled_kinds: list[str],
    *,
    scheduled_age: timedelta,
    age: timedelta,
) -> int:
    """Delete finished jobs past their age, a batch at a time; how many went."""
    values = {
        "scheduled_kinds": scheduled_kinds,
        "scheduled_age": scheduled_age,
        "age": age,
        "batch": BATCH,
    }
    deleted = 0
    while True:
        cursor = await connection.execute(PRUNE, values)
        row = await cursor.fetchone()
        count = int(row[0]) if row else 0
        deleted += count
        if count < BATCH:
            return deleted


@registry.kind("jobs.prune", max_attempts=3, timeout_seconds=600)
async def prune(context: JobContext) -> None:
    scheduled_kinds = sorted({schedule.kind.name for schedule in registry.schedules})
    async with context.pool.connection() as connection:
        deleted = await prune_finished_jobs(
            connection,
            scheduled_kinds,
            scheduled_age=timedelta(hours=SCHEDULED_JOB_HOURS),
            age=timedelta(days=get_settings().job_retention_days),
        )
    await context.log(f"deleted {deleted} finished jobs")


registry.schedule(prune, "41 * * * *", schedule_id="hourly")
