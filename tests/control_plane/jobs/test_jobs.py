"""A job's life in one worker: steps and log, retries with backoff, timeout, cancel, cron."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import psycopg

from control_plane.jobs import JobContext, JobState, Registry, cancel, enqueue, get_job
from control_plane.jobs.schema import PREFIX, apply_queue_schema
from tests.control_plane.jobs.conftest import connected, running_worker, wait_for
from tests.control_plane.jobs.kinds import fail, sleep, steps


def test_life_cycle_with_steps_and_log(database: str) -> None:
    organization = uuid.uuid4()

    async def scenario() -> None:
        async with connected(database) as connection:
            job_id = await enqueue(connection, steps, {"pause": 0.5}, organization_id=organization)
            queued = await get_job(connection, job_id)
            assert queued is not None
            assert (queued.state, queued.kind, queued.attempts) == (
                JobState.QUEUED,
                "test.steps",
                [],
            )
            assert queued.organization_id == organization
            assert queued.payload == {"pause": 0.5}
            async with running_worker(database):
                running = await wait_for(connection, job_id, lambda j: bool(j.steps))
                assert running.state is JobState.RUNNING
                assert [(s.name, s.done, s.total) for s in running.steps] == [("render", 1, 2)]
                assert [line.line for line in running.log] == ["rendered one file"]
                done = await wait_for(connection, job_id, lambda j: j.state is JobState.SUCCEEDED)
        assert [(s.position, s.name, s.done, s.total) for s in done.steps] == [
            (1, "render", 2, 2),
            (2, "write", None, None),
        ]
        assert [line.line for line in done.log] == ["rendered one file", "wrote the files"]
        (attempt,) = done.attempts
        assert attempt.error is None and attempt.finished_at is not None
        assert done.finished_at is not None
        assert done.created_at <= attempt.started_at <= attempt.finished_at <= done.finished_at
        assert done.error is None

    asyncio.run(scenario())


def test_failures_are_retried_with_backoff_then_failed(database: str) -> None:
    async def scenario() -> None:
        async with connected(database) as connection, running_worker(database):
            job_id = await enqueue(connection, fail, {})
            job = await wait_for(connection, job_id, lambda j: j.state is JobState.FAILED)
        assert [a.error for a in job.attempts] == ["RuntimeError: boom"] * 3
        first, second, third = job.attempts
        assert first.finished_at and second.finished_at
        # backoff_seconds=0.3: 0.3 s before the second attempt, 0.6 s before the third
        assert (second.started_at - first.finished_at).total_seconds() >= 0.3
        assert (third.started_at - second.finished_at).total_seconds() >= 0.6
        assert job.error == "RuntimeError: boom"

    asyncio.run(scenario())


def test_timeout_fails_each_attempt(database: str) -> None:
    async def scenario() -> None:
        async with connected(database) as connection, running_worker(database):
            job_id = await enqueue(
                connection, sleep, {"seconds": 30}, max_attempts=2, timeout_seconds=0.3
            )
            job = await wait_for(connection, job_id, lambda j: j.state is JobState.FAILED)
        assert [a.error for a in job.attempts] == ["JobTimeout: ran longer than 0.3 s"] * 2
        assert (job.max_attempts, job.timeout_seconds) == (2, 0.3)

    asyncio.run(scenario())


def test_cancel_a_queued_job(database: str) -> None:
    async def scenario() -> None:
        async with connected(database) as connection:
            job_id = await enqueue(connection, sleep, {"seconds": 0})
            assert await cancel(connection, job_id)
            job = await get_job(connection, job_id)
            assert job is not None and job.state is JobState.CANCELLED
            assert not await cancel(connection, job_id)  # already finished
            assert not await cancel(connection, job_id + 1000)  # no such job
            async with running_worker(database):
                await asyncio.sleep(0.5)
            job = await get_job(connection, job_id)
            assert job is not None and job.state is JobState.CANCELLED and job.attempts == []

    asyncio.run(scenario())


def test_cancel_a_running_job(database: str) -> None:
    async def scenario() -> None:
        async with connected(database) as connection, running_worker(database):
            job_id = await enqueue(connection, sleep, {"seconds": 30})
            await wait_for(connection, job_id, lambda j: j.state is JobState.RUNNING)
            assert await cancel(connection, job_id)
            job = await wait_for(connection, job_id, lambda j: j.state is JobState.CANCELLED)
            await asyncio.sleep(0.3)  # not retried
            job = await wait_for(connection, job_id, lambda j: j.state is JobState.CANCELLED)
        assert [a.error for a in job.attempts] == ["JobAborted: cancelled"]
        assert job.log == []

    asyncio.run(scenario())


def test_enqueue_joins_the_callers_transaction(database: str) -> None:
    async def scenario() -> None:
        async with connected(database) as connection:
            async with connection.transaction(force_rollback=True):
                job_id = await enqueue(connection, sleep, {"seconds": 0})
                assert await get_job(connection, job_id) is not None
            assert await get_job(connection, job_id) is None

    asyncio.run(scenario())


def test_cron_schedule_enqueues_jobs(database: str) -> None:
    ticks = Registry()

    @ticks.kind("test.tick")
    async def tick(context: JobContext) -> None:
        assert context.scheduled_for is not None
        await context.log(f"{context.payload['name']} at {context.scheduled_for:%S}")

    ticks.schedule(tick, "* * * * * *", {"name": "tick"})  # every second

    async def scenario() -> None:
        async with connected(database) as connection:
            async with running_worker(database, ticks):
                for _ in range(100):
                    rows = await connection.execute(
                        "SELECT DISTINCT job_id FROM job_attempts WHERE finished_at IS NOT NULL"
                    )
                    job_ids = [row[0] for row in await rows.fetchall()]
                    if len(job_ids) >= 2:
                        break
                    await asyncio.sleep(0.1)
            for job_id in job_ids:
                job = await get_job(connection, job_id)
                assert job is not None and job.kind == "test.tick"
                assert job.state is JobState.SUCCEEDED
                assert job.log[0].line.startswith("tick at ")
        assert len(job_ids) >= 2

    asyncio.run(scenario())


def test_queue_schema_is_recorded_and_applied_once(database: str) -> None:
    with psycopg.connect(database, autocommit=True) as connection:
        rows = connection.execute(
            "SELECT count(*) FROM schema_migrations WHERE starts_with(version, %s)", (PREFIX,)
        ).fetchone()
        assert rows is not None and rows[0] > 30
        assert apply_queue_schema(connection) == []


def test_a_stopping_worker_puts_its_running_job_back(database: str) -> None:
    async def scenario() -> None:
        async with connected(database) as connection:
            async with running_worker(database):
                job_id = await enqueue(connection, sleep, {"seconds": 30})
                await wait_for(connection, job_id, lambda j: j.state is JobState.RUNNING)
            # FAST.shutdown_seconds passed: the job was stopped, and waits for a worker.
            job = await get_job(connection, job_id)
        assert job is not None and job.state is JobState.QUEUED
        assert [a.error for a in job.attempts] == ["JobAborted: the worker stopped"]

    asyncio.run(scenario())


def test_a_worker_that_lost_its_heartbeat_starts_afresh(database: str) -> None:
    async def worker_ids(connection: psycopg.AsyncConnection[tuple[Any, ...]]) -> list[int]:
        rows = await connection.execute("SELECT id FROM procrastinate_workers")
        return [row[0] for row in await rows.fetchall()]

    async def scenario() -> None:
        async with connected(database) as connection, running_worker(database):
            while not (first := await worker_ids(connection)):
                await asyncio.sleep(0.05)
            # What another worker does to one silent for too long (a database outage).
            await connection.execute("DELETE FROM procrastinate_workers")
            for _ in range(100):
                if (now := await worker_ids(connection)) and now != first:
                    break
                await asyncio.sleep(0.05)
            assert now and now != first
            job_id = await enqueue(connection, sleep, {"seconds": 0})
            await wait_for(connection, job_id, lambda j: j.state is JobState.SUCCEEDED)

    asyncio.run(scenario())
