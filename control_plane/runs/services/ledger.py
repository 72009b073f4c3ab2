"""The ledger's API: create a run, start it, begin and end its steps, log, finish it, and
read it back. Each call is one statement, committed at once (the connection is
autocommit), so that readers follow a run while it goes on; inside a caller's
transaction, it commits with that transaction (a run and the job that runs it)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from control_plane.db import Conn
from control_plane.runs.models import RunKind, RunStatus, StepStatus
from control_plane.runs.queries import run_log_lines, run_steps, runs
from control_plane.runs.queries.run_log_lines import RunLogLine
from control_plane.runs.queries.run_steps import RunStep
from control_plane.runs.queries.runs import Run


@dataclass(frozen=True)
class RunRecord:
    """A run with its steps and log lines."""

    run: Run
    steps: list[RunStep]
    lines: list[RunLogLine]


async def create_run(
    connection: Conn,
    organization_id: uuid.UUID,
    kind: RunKind,
    *,
    performed_by: uuid.UUID | None = None,
    details: dict[str, Any] | None = None,
    job_id: int | None = None,
) -> uuid.UUID:
    """A new run, `pending` until its worker starts it."""
    run_id = await runs.insert(connection, organization_id, kind, performed_by, details or {})
    if job_id is not None:
        await runs.set_job(connection, run_id, job_id)
    return run_id


async def attach_job(connection: Conn, run_id: uuid.UUID, job_id: int) -> None:
    await runs.set_job(connection, run_id, job_id)


async def start_run(connection: Conn, run_id: uuid.UUID) -> None:
    """`pending` -> `running`; a run already started or finished stays as it is."""
    await runs.start(connection, run_id)


async def finish_run(
    connection: Conn,
    run_id: uuid.UUID,
    status: RunStatus,
    *,
    error_code: str | None = None,
    error_message: str | None = None,
    details: dict[str, Any] | None = None,
) -> bool:
    """End the run with `status` (its `details` merged into the run's); False, and nothing
    changed, when it had already finished."""
    if not status.finished:
        raise ValueError(f"{status} is not a final status")
    return await runs.finish(connection, run_id, status, error_code, error_message, details or {})


async def begin_step(
    connection: Conn,
    run_id: uuid.UUID,
    name: str,
    *,
    input: Any = None,
    started_at: datetime | None = None,
) -> int:
    """A new step, running from `started_at` (now by default); returns its position."""
    return await run_steps.begin(connection, run_id, name, input, started_at)


async def end_step(
    connection: Conn,
    run_id: uuid.UUID,
    position: int,
    status: StepStatus,
    *,
    details: str | None = None,
    output: Any = None,
    completed_at: datetime | None = None,
) -> None:
    """Set a step's status (details and output when given); a final status ends it at
    `completed_at` (now by default), `running` opens it again."""
    await run_steps.update(connection, run_id, position, status, details, output, completed_at)


async def log(
    connection: Conn,
    run_id: uuid.UUID,
    message: str,
    *,
    step: str = "",
    host: str = "",
    task: str = "",
    status: str = "",
    at: datetime | None = None,
) -> None:
    await run_log_lines.insert(
        connection, run_id, message, step=step, host=host, task=task, status=status, at=at
    )


async def read_run(connection: Conn, run_id: uuid.UUID) -> RunRecord | None:
    run = await runs.one(connection, run_id)
    if run is None:
        return None
    steps = await run_steps.of_run(connection, run_id)
    lines = await run_log_lines.of_run(connection, run_id)
    return RunRecord(run, steps, lines)
