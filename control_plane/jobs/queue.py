"""Enqueue, read and cancel jobs, on the caller's connection.

procrastinate writes the queue's row (`procrastinate_jobs`) on that connection, so a job
enqueued inside a transaction exists only if that transaction commits. The state a reader
sees is the queue's status; attempts, steps and log lines are ours (job_* tables).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, LiteralString, TypeVar
from uuid import UUID

import procrastinate
from psycopg import AsyncConnection
from psycopg.rows import class_row

from control_plane.jobs.kinds import JobKind

Row = TypeVar("Row")

# Never opened: every call below passes its own connection.
_queue = procrastinate.App(connector=procrastinate.PsycopgConnector())


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


# procrastinate's statuses; "aborted" is a running job that was cancelled.
_STATES = {
    "todo": JobState.QUEUED,
    "doing": JobState.RUNNING,
    "succeeded": JobState.SUCCEEDED,
    "failed": JobState.FAILED,
    "cancelled": JobState.CANCELLED,
    "aborted": JobState.CANCELLED,
}


@dataclass(frozen=True)
class Attempt:
    attempt: int
    worker: str
    started_at: datetime
    finished_at: datetime | None
    error: str | None


@dataclass(frozen=True)
class Step:
    attempt: int
    position: int
    name: str
    done: int | None
    total: int | None
    started_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class LogLine:
    attempt: int
    at: datetime
    line: str


@dataclass(frozen=True)
class JobView:
    id: int
    kind: str
    state: JobState
    organization_id: UUID | None
    payload: dict[str, Any]
    max_attempts: int
    timeout_seconds: float
    cancel_requested: bool
    created_at: datetime
    run_after: datetime | None  # when a queued job (a retry, say) may start
    finished_at: datetime | None
    attempts: list[Attempt]
    steps: list[Step]
    log: list[LogLine]

    @property
    def error(self) -> str | None:
        """Why the last attempt ended badly, if it did."""
        return self.attempts[-1].error if self.attempts else None


def job_arguments(
    kind: JobKind,
    payload: dict[str, Any],
    organization_id: UUID | None = None,
    max_attempts: int | None = None,
    timeout_seconds: float | None = None,
) -> dict[str, Any]:
    """The queue row's arguments: the payload and this job's limits, fixed at enqueue."""
    return {
        "payload": payload,
        "organization_id": str(organization_id) if organization_id else None,
        "max_attempts": kind.max_attempts if max_attempts is None else max_attempts,
        "timeout_seconds": kind.timeout_seconds if timeout_seconds is None else timeout_seconds,
    }


async def enqueue(
    connection: AsyncConnection[Any],
    kind: JobKind,
    payload: dict[str, Any],
    *,
    organization_id: UUID | None = None,
    max_attempts: int | None = None,
    timeout_seconds: float | None = None,
    schedule_at: datetime | None = None,
) -> int:
    """Queue a job of `kind`, to start at once or not before `schedule_at` (aware);
    `payload` must be JSON. Returns the job's id."""
    arguments = job_arguments(kind, payload, organization_id, max_attempts, timeout_seconds)
    deferrer = _queue.configure_task(
        kind.name, task_kwargs=arguments, connection=connection, schedule_at=schedule_at
    )
    job_id: int = await deferrer.defer_async()
    return job_id


async def cancel(connection: AsyncConnection[Any], job_id: int) -> bool:
    """Cancel a queued job, or ask the worker running it to stop it.

    False when there is no such job or it has already finished.
    """
    cancelled: bool = await _queue.job_manager.cancel_job_by_id_async(
        job_id, abort=True, connection=connection
    )
    return cancelled


@dataclass(frozen=True)
class _QueueRow:
    """procrastinate's row of a job, with the times of its events."""

    task_name: str
    status: str
    args: dict[str, Any]
    abort_requested: bool
    scheduled_at: datetime | None
    created_at: datetime
    finished_at: datetime | None


_JOB = """
SELECT j.task_name, j.status::text AS status, j.args, j.abort_requested, j.scheduled_at,
       (SELECT min(e.at) FROM procrastinate_events e
         WHERE e.job_id = j.id AND e.type = 'deferred') AS created_at,
       (SELECT max(e.at) FROM procrastinate_events e
         WHERE e.job_id = j.id
           AND e.type IN ('succeeded', 'failed', 'cancelled', 'aborted')) AS finished_at
  FROM procrastinate_jobs j
 WHERE j.id = %s
"""


async def _rows_of(
    connection: AsyncConnection[Any], shape: type[Row], query: LiteralString, job_id: int
) -> list[Row]:
    async with connection.cursor(row_factory=class_row(shape)) as cursor:
        await cursor.execute(query, (job_id,))
        return await cursor.fetchall()


async def get_job(connection: AsyncConnection[Any], job_id: int) -> JobView | None:
    found = await _rows_of(connection, _QueueRow, _JOB, job_id)
    if not found:
        return None
    job = found[0]
    attempts = await _rows_of(
        connection,
        Attempt,
        "SELECT attempt, worker, started_at, finished_at, error FROM job_attempts"
        " WHERE job_id = %s ORDER BY attempt",
        job_id,
    )
    steps = await _rows_of(
        connection,
        Step,
        "SELECT attempt, position, name, done, total, started_at, updated_at"
        " FROM job_steps WHERE job_id = %s ORDER BY attempt, position",
        job_id,
    )
    log = await _rows_of(
        connection,
        LogLine,
        "SELECT attempt, at, line FROM job_log_lines WHERE job_id = %s ORDER BY id",
        job_id,
    )
    arguments = job.args
    organization = arguments["organization_id"]
    state = _STATES[job.status]
    return JobView(
        id=job_id,
        kind=job.task_name,
        state=state,
        organization_id=UUID(organization) if organization else None,
        payload=arguments["payload"],
        max_attempts=arguments["max_attempts"],
        timeout_seconds=arguments["timeout_seconds"],
        cancel_requested=job.abort_requested,
        created_at=job.created_at,
        run_after=job.scheduled_at if state is JobState.QUEUED else None,
        finished_at=job.finished_at,
        attempts=attempts,
        steps=steps,
        log=log,
    )
