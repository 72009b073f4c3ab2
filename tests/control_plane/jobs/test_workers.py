"""Several worker processes on one database: each job runs once, and a worker killed with
SIGKILL mid-job leaves a job that is retried, then failed, within a bounded time."""

from __future__ import annotations

import asyncio
import subprocess
import time
from collections.abc import Callable

from control_plane.jobs import JobState, JobView, enqueue
from tests.control_plane.jobs.conftest import connected, wait_for
from tests.control_plane.jobs.kinds import FAST, sleep

Spawn = Callable[[str], subprocess.Popen[bytes]]

# FAST notices a silent worker after stalled_seconds and looks every recovery_seconds;
# the rest is a new worker's start-up and the test's own polling.
RECOVERY_BOUND = FAST.stalled_seconds + FAST.recovery_seconds + 10


def test_two_workers_share_a_queue_and_run_each_job_once(
    database: str, spawn_worker: Spawn
) -> None:
    workers = [spawn_worker(database), spawn_worker(database)]

    async def scenario() -> None:
        async with connected(database) as connection:
            job_ids = [await enqueue(connection, sleep, {"seconds": 0.05}) for _ in range(40)]
            jobs = [
                await wait_for(connection, job_id, lambda j: j.state is JobState.SUCCEEDED)
                for job_id in job_ids
            ]
        for job in jobs:
            assert len(job.attempts) == 1
            assert [line.line for line in job.log] == ["slept"]  # the handler ran once
        ran_on = {job.attempts[0].worker.rsplit(":", 1)[1] for job in jobs}
        assert ran_on == {str(worker.pid) for worker in workers}

    asyncio.run(scenario())


def test_a_killed_worker_s_job_is_retried_then_failed(database: str, spawn_worker: Spawn) -> None:
    async def scenario() -> None:
        async with connected(database) as connection:
            job_id = await enqueue(connection, sleep, {"seconds": 600}, max_attempts=2)
            worker = spawn_worker(database)
            for attempt in (1, 2):

                def running(job: JobView, attempt: int = attempt) -> bool:
                    return job.state is JobState.RUNNING and len(job.attempts) == attempt

                def lost(job: JobView, attempt: int = attempt) -> bool:
                    return job.attempts[attempt - 1].finished_at is not None

                job = await wait_for(connection, job_id, running, timeout=30)
                assert job.attempts[-1].worker.endswith(f":{worker.pid}")
                worker.kill()
                worker.wait()
                killed = time.monotonic()
                # The next worker finds the dead one's job: retried once, then failed.
                worker = spawn_worker(database)
                job = await wait_for(connection, job_id, lost, timeout=RECOVERY_BOUND)
                assert time.monotonic() - killed < RECOVERY_BOUND
            job = await wait_for(connection, job_id, lambda j: j.state is JobState.FAILED)
        assert [a.error for a in job.attempts] == [
            f"WorkerLost: no heartbeat from its worker for {FAST.stalled_seconds:g} s"
        ] * 2

    asyncio.run(scenario())
