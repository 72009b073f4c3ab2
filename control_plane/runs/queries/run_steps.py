"""SQL of `run_steps`: a run's steps, numbered from 1 in the order they began."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg.types.json import Jsonb

from control_plane.db import Conn, fetch_all, fetch_value
from control_plane.runs.models import StepStatus


@dataclass(frozen=True)
class RunStep:
    position: int
    name: str
    status: StepStatus
    details: str
    input: Any
    output: Any
    started_at: datetime | None
    completed_at: datetime | None

    def __post_init__(self) -> None:  # the row's text as the enum it is
        object.__setattr__(self, "status", StepStatus(self.status))


OF_RUN = """
SELECT position, name, status, details, input, output, started_at, completed_at
FROM run_steps WHERE run_id = %(run)s ORDER BY position
"""

# One writer per run (its job), so the next position cannot be taken twice.
BEGIN = """
INSERT INTO run_steps (run_id, position, name, status, input, started_at)
SELECT %(run)s, coalesce(max(position), 0) + 1, %(name)s, 'running', %(input)s,
       coalesce(%(started_at)s, now())
FROM run_steps WHERE run_id = %(run)s
RETURNING position
"""

# A step back to running (a later batch of hosts reopens it) has no end yet.
UPDATE = """
UPDATE run_steps SET status = %(status)s, details = coalesce(%(details)s, details),
    output = coalesce(%(output)s, output),
    completed_at = CASE WHEN %(status)s IN ('pending', 'running') THEN NULL
                        ELSE coalesce(%(completed_at)s, now()) END
WHERE run_id = %(run)s AND position = %(position)s
"""


async def of_run(connection: Conn, run_id: uuid.UUID) -> list[RunStep]:
    return await fetch_all(connection, RunStep, OF_RUN, {"run": run_id})


async def begin(
    connection: Conn, run_id: uuid.UUID, name: str, input: Any, started_at: datetime | None
) -> int:
    values = {
        "run": run_id,
        "name": name,
        "input": None if input is None else Jsonb(input),
        "started_at": started_at,
    }
    position = await fetch_value(connection, int, BEGIN, values)
    assert position is not None
    return position


async def update(
    connection: Conn,
    run_id: uuid.UUID,
    position: int,
    status: StepStatus,
    details: str | None,
    output: Any,
    completed_at: datetime | None,
) -> None:
    values = {
        "run": run_id,
        "position": position,
        "status": status,
        "details": details,
        "output": None if output is None else Jsonb(output),
        "completed_at": completed_at,
    }
    await connection.execute(UPDATE, values)
