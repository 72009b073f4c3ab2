"""One run of a job: its handler inside the job's timeout, the attempt recorded, and the
retry decision (exponential backoff up to the job's own max_attempts)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, cast
from uuid import UUID

import procrastinate
from procrastinate.exceptions import JobAborted
from procrastinate.job_context import AbortReason
from procrastinate.jobs import Job
from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from control_plane.jobs.context import JobContext
from control_plane.jobs.kinds import JobKind

MAX_BACKOFF_SECONDS = 3600.0

Pool = AsyncConnectionPool[AsyncConnection[Any]]


class JobTimeout(Exception):
    """The handler ran longer than the job's timeout_seconds."""


class WorkerLost(Exception):
    """The worker running the job stopped sending heartbeats (killed, frozen, cut off)."""


class Backoff(procrastinate.BaseRetryStrategy):
    """Retry any failure after base, 2*base, 4*base... seconds, up to the job's max_attempts."""

    def __init__(self, base_seconds: float) -> None:
        self.base_seconds = base_seconds

    def get_retry_decision(
        self, *, exception: BaseException, job: Job
    ) -> procrastinate.RetryDecision | None:
        now = datetime.now(UTC)
        if isinstance(exception, JobAborted):
            # Only a worker's shutdown gets here (procrastinate never retries a cancel):
            # the job did nothing wrong, so it goes back to the queue at once.
            return procrastinate.RetryDecision(retry_at=now)
        attempt = job.attempts + 1
        max_attempts = cast(int, job.task_kwargs["max_attempts"])  # set by job_arguments
        if not isinstance(exception, Exception) or attempt >= max_attempts:
            return None
        delay = min(self.base_seconds * 2 ** (attempt - 1), MAX_BACKOFF_SECONDS)
        return procrastinate.RetryDecision(retry_at=now + timedelta(seconds=delay))


_START = "INSERT INTO job_attempts (job_id, attempt, worker) VALUES (%s, %s, %s)"
_FINISH = """
UPDATE job_attempts SET finished_at = now(), error = %s
 WHERE job_id = %s AND attempt = %s AND finished_at IS NULL
"""


async def finish_attempt(
    connection: AsyncConnection[Any], job_id: int, attempt: int, error: BaseException | None
) -> None:
    described = f"{type(error).__name__}: {error}" if error else None
    await connection.execute(_FINISH, (described, job_id, attempt))


def _outcome(error: BaseException, job: procrastinate.JobContext, timed_out: bool) -> BaseException:
    """What the queue must see: a timeout or a cancel in its own terms, else the error."""
    if isinstance(error, asyncio.CancelledError):
        stopping = job.abort_reason() is AbortReason.SHUTDOWN
        return JobAborted("the worker stopped" if stopping else "cancelled")
    if isinstance(error, TimeoutError) and timed_out:
        seconds = job.job.task_kwargs["timeout_seconds"]
        return JobTimeout(f"ran longer than {seconds:g} s")
    return error


def task_function(kind: JobKind, pool: Pool) -> Callable[..., Awaitable[None]]:
    """The procrastinate task that runs `kind`'s handler for one queued job."""

    async def run(job: procrastinate.JobContext, **arguments: Any) -> None:
        assert job.job.id is not None  # a fetched job has its id
        organization = arguments["organization_id"]
        timestamp = arguments.get("timestamp")  # set by procrastinate for scheduled jobs
        context = JobContext(
            job_id=job.job.id,
            attempt=job.job.attempts + 1,
            max_attempts=arguments["max_attempts"],
            payload=arguments["payload"],
            organization_id=UUID(organization) if organization else None,
            scheduled_for=datetime.fromtimestamp(timestamp, UTC) if timestamp else None,
            pool=pool,
        )
        async with pool.connection() as connection:
            await connection.execute(_START, (context.job_id, context.attempt, job.worker_name))
        try:
            async with asyncio.timeout(arguments["timeout_seconds"]) as deadline:
                await kind.handler(context)
        except BaseException as error:
            outcome = _outcome(error, job, deadline.expired())
            async with pool.connection() as connection:
                await finish_attempt(connection, context.job_id, context.attempt, outcome)
            if outcome is error:
                raise
            raise outcome from error
        async with pool.connection() as connection:
            await finish_attempt(connection, context.job_id, context.attempt, None)

    return run
