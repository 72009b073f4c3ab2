"""What a running job's handler receives: its payload, and a way to report progress.

Steps and log lines are written at once (one statement each) so that a reader sees them
while the job runs, and keeps them if the worker dies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

_STEP = """
INSERT INTO job_steps (job_id, attempt, position, name, done, total)
VALUES (%(job_id)s, %(attempt)s, %(position)s, %(name)s, %(done)s, %(total)s)
ON CONFLICT (job_id, attempt, position)
DO UPDATE SET done = excluded.done, total = excluded.total, updated_at = now()
"""


@dataclass
class JobContext:
    job_id: int
    attempt: int  # 1 for the first run
    max_attempts: int  # so attempt == max_attempts is the last one
    payload: dict[str, Any]
    organization_id: UUID | None
    scheduled_for: datetime | None  # the cron time, for a job a schedule enqueued
    pool: AsyncConnectionPool[AsyncConnection[Any]]
    _steps: list[str] = field(default_factory=list, init=False, repr=False)

    async def progress(
        self, step: str, *, done: int | None = None, total: int | None = None
    ) -> None:
        """Enter `step` (or update it, when it is the current one) with optional counts."""
        if not self._steps or self._steps[-1] != step:
            self._steps.append(step)
        values = {
            "job_id": self.job_id,
            "attempt": self.attempt,
            "position": len(self._steps),
            "name": step,
            "done": done,
            "total": total,
        }
        async with self.pool.connection() as connection:
            await connection.execute(_STEP, values)

    async def log(self, line: str) -> None:
        async with self.pool.connection() as connection:
            await connection.execute(
                "INSERT INTO job_log_lines (job_id, attempt, line) VALUES (%s, %s, %s)",
                (self.job_id, self.attempt, line),
            )
