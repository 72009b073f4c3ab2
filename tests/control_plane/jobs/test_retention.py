"""Finished jobs are pruned after their age, with what we record beside them; unfinished
jobs, young jobs and the jobs a schedule points at stay."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from control_plane.jobs import JobState, enqueue, get_job
from control_plane.jobs.retention import prune_finished_jobs
from tests.control_plane.jobs.conftest import connected, running_worker, wait_for
from tests.control_plane.jobs.kinds import fail, sleep, steps

AGE = timedelta(days=30)
SCHEDULED_AGE = timedelta(hours=24)
BACKDATE = "UPDATE procrastinate_events SET at = at - %s::interval WHERE job_id = %s"


def test_finished_jobs_go_after_their_age(database: str) -> None:
    async def scenario() -> None:
        async with connected(database) as connection:
            async with running_worker(database):
                old = await enqueue(connection, steps, {"pause": 0})
                old_failed = await enqueue(connection, fail, {})
                young = await enqueue(connection, steps, {"pause": 0})
                scheduled = await enqueue(connection, sleep, {"seconds": 0})
                for job_id in (old, young, scheduled):
                    await wait_for(connection, job_id, lambda j: j.state is JobState.SUCCEEDED)
                await wait_for(connection, old_failed, lambda j: j.state is JobState.FAILED)
            waiting = await enqueue(connection, steps, {"pause": 0})
            for job_id in (old, old_failed, waiting):
                await connection.execute(BACKDATE, ("31 days", job_id))
            await connection.execute(BACKDATE, ("25 hours", scheduled))
            await connection.execute(BACKDATE, ("25 hours", young))

            deleted = await prune_finished_jobs(
                connection, ["test.sleep"], scheduled_age=SCHEDULED_AGE, age=AGE
            )

            assert deleted == 3
            assert await get_job(connection, old) is None
            assert await get_job(connection, old_failed) is None
            assert await get_job(connection, scheduled) is None
            assert await get_job(connection, young) is not None
            assert await get_job(connection, waiting) is not None
            for table in ("job_attempts", "job_steps", "job_log_lines"):
                cursor = await connection.execute(
                    f"SELECT count(*) FROM {table} WHERE job_id = ANY(%s)",  # noqa: S608  (our table names)
                    ([old, old_failed, scheduled],),
                )
                assert await cursor.fetchone() == (0,), table

    asyncio.run(scenario())
