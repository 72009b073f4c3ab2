"""Group commit of tracked events, one writer per server process.

A tracking request hands its events to `EventWriter.write` and waits. The writer's task
takes everything handed in since its last flush and writes it, with the rollups it adds
to, in one statement (queries/events.py, WRITE): one round trip, one commit, one fsync,
for every request waiting. A request is answered once the statement holding its events
and their rollups is committed; if it fails, every request of that flush gets
`WriteFailed` (a 503) and none of their events is stored. While a flush runs, the next
requests gather for the next one, so the batches grow with the load by themselves and no
timer delays a quiet server.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import date

import psycopg
from psycopg_pool import AsyncConnectionPool

from control_plane.db import Conn
from control_plane.insights.queries import events
from control_plane.insights.queries.events import EventRow
from control_plane.insights.services import rollups

logger = logging.getLogger("control_plane.insights.writer")

# Beyond this many events, the rest wait for the next flush: a transaction stays short.
FLUSH_MAX_EVENTS = 20_000


class WriteFailed(Exception):
    """The flush holding the events failed; none of them is stored."""


_Waiting = tuple[Sequence[EventRow], asyncio.Future[None]]


class EventWriter:
    def __init__(self, pool: AsyncConnectionPool[Conn]) -> None:
        self._pool = pool
        self._waiting: list[_Waiting] = []
        self._wake = asyncio.Event()
        self._days_made: set[date] = set()  # partitions known to exist
        self._task: asyncio.Task[None] | None = None
        self._closing = False

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="insights event writer")

    async def close(self) -> None:
        """Flush what was handed in, then stop."""
        self._closing = True
        self._wake.set()
        if self._task is not None:
            await self._task

    async def write(self, rows: Sequence[EventRow]) -> None:
        """Return once `rows` and their rollups are committed; `WriteFailed` otherwise."""
        if self._closing:
            raise WriteFailed("the server is stopping")
        done = asyncio.get_running_loop().create_future()
        self._waiting.append((rows, done))
        self._wake.set()
        await done

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._waiting:
                await self._flush_next()
            if self._closing:
                return

    def _take(self) -> list[_Waiting]:
        taken, size = 0, 0
        for rows, _ in self._waiting:
            if size and size + len(rows) > FLUSH_MAX_EVENTS:
                break
            taken, size = taken + 1, size + len(rows)
        batch, self._waiting = self._waiting[:taken], self._waiting[taken:]
        return batch

    async def _flush_next(self) -> None:
        batch = self._take()
        rows = [row for waiting_rows, _ in batch for row in waiting_rows]
        import time as _t

        _s = _t.perf_counter()
        try:
            await self._flush(rows)
            logger.warning(
                "DEBUGFLUSH %d %d %.2f", len(batch), len(rows), (_t.perf_counter() - _s) * 1000
            )
        except Exception as error:  # the database's, or a bug: the waiters must hear of it
            logger.warning("could not write %d events", len(rows), exc_info=True)
            outcome: WriteFailed | None = WriteFailed(type(error).__name__)
        else:
            outcome = None
        for _, done in batch:
            if done.done():  # its request went away (client disconnected)
                continue
            if outcome is None:
                done.set_result(None)
            else:
                done.set_exception(outcome)

    async def _flush(self, rows: list[EventRow]) -> None:
        async with self._pool.connection() as connection:
            await self._make_partitions(connection, rollups.days_of(rows))
            try:
                await events.write(connection, rows)
            except psycopg.errors.CheckViolation:
                # "no partition of relation found": a day dropped since it was made here
                self._days_made.clear()
                await self._make_partitions(connection, rollups.days_of(rows))
                await events.write(connection, rows)

    async def _make_partitions(self, connection: Conn, days: set[date]) -> None:
        for day in sorted(days - self._days_made):
            await events.ensure_partition(connection, day)
            self._days_made.add(day)
