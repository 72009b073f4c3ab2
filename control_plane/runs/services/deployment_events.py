"""The events of a deployment (`deployment.record.Listener`: ("step", Step) and
("log", LogLine)) written into a run of the ledger as they happen.

The listener is called on ansible-runner's thread (the deployment runs in a thread, so that
the job's event loop stays free). It does not touch a connection there: it hands each
write to the job's event loop (`run_coroutine_threadsafe`) and waits for it, so the writes
go through the job's pool, in the order of the events, and the Step it was given cannot
change before it is written. A failed write is logged, never raised into the runner: the
deployment goes on, and its outcome is recorded at the end.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import uuid
from typing import Any

from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from control_plane.runs.models import StepStatus
from control_plane.runs.services import ledger
from deployment.record import LogLine, Step

logger = logging.getLogger("control_plane.runs")

# A write waits this long at most; past it the runner goes on (and the write may still land).
WRITE_TIMEOUT_SECONDS = 30.0


class LedgerListener:
    """A `deployment.record.Listener` writing into run `run_id`. Make it on the event loop
    that will do the writes; call it from any other thread."""

    def __init__(self, pool: AsyncConnectionPool[AsyncConnection[Any]], run_id: uuid.UUID) -> None:
        self._pool = pool
        self._run_id = run_id
        self._loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()
        self._positions: dict[str, int] = {}  # step name -> position: a name is one step

    def __call__(self, kind: str, payload: Any) -> None:
        if threading.get_ident() == self._loop_thread:
            raise RuntimeError("LedgerListener is called from the runner's thread, not the loop")
        future = asyncio.run_coroutine_threadsafe(self._write(kind, payload), self._loop)
        try:
            future.result(timeout=WRITE_TIMEOUT_SECONDS)
        except Exception:
            logger.exception("run %s: could not record a %s event", self._run_id, kind)

    async def _write(self, kind: str, payload: Any) -> None:
        async with self._pool.connection() as connection:
            if kind == "step" and isinstance(payload, Step):
                await self._step(connection, payload)
            elif kind == "log" and isinstance(payload, LogLine):
                await ledger.log(
                    connection,
                    self._run_id,
                    payload.message,
                    step=payload.step,
                    host=payload.host,
                    task=payload.task,
                    status=payload.status,
                    at=payload.at,
                )

    async def _step(self, connection: AsyncConnection[Any], step: Step) -> None:
        position = self._positions.get(step.name)
        if position is None:
            position = await ledger.begin_step(
                connection, self._run_id, step.name, started_at=step.started_at
            )
            self._positions[step.name] = position
            if step.status == "running":
                return
        finished = step.status != "running"
        await ledger.end_step(
            connection,
            self._run_id,
            position,
            StepStatus(step.status),
            details=str(step.as_dict()["details"]) if finished else step.details,
            completed_at=step.completed_at,
        )
