"""SQL of `run_log_lines`: what a run printed, in order."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from control_plane.db import Conn, fetch_all


@dataclass(frozen=True)
class RunLogLine:
    id: int
    at: datetime
    step: str
    host: str
    task: str
    status: str
    message: str


OF_RUN = """
SELECT id, at, step, host, task, status, message
FROM run_log_lines WHERE run_id = %(run)s ORDER BY id
"""

INSERT = """
INSERT INTO run_log_lines (run_id, at, step, host, task, status, message)
VALUES (%(run)s, coalesce(%(at)s, now()), %(step)s, %(host)s, %(task)s, %(status)s,
        %(message)s)
"""


async def of_run(connection: Conn, run_id: uuid.UUID) -> list[RunLogLine]:
    return await fetch_all(connection, RunLogLine, OF_RUN, {"run": run_id})


async def insert(
    connection: Conn,
    run_id: uuid.UUID,
    message: str,
    *,
    step: str,
    host: str,
    task: str,
    status: str,
    at: datetime | None,
) -> None:
    values = {
        "run": run_id,
        "at": at,
        "step": step,
        "host": host,
        "task": task,
        "status": status,
        "message": message,
    }
    await connection.execute(INSERT, values)
