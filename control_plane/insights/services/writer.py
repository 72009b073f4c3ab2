"""Group commit of tracked events, one writer per server process.

A tracking request hands its events to `EventWriter.write` and waits; it holds no
database connection. The writer's task takes every request handed in since its last
flush and, on one connection, asks in one query whether each caller's session is open
and what their role is in each organisation their events name (queries/access.py), then
writes the events of the requests allowed, with the rollups they add to, in one statement
(queries/events.py, WRITE): one round trip, one commit, one fsync, for every request
waiting. A refused request gets its own 401, 404 or 403 and does not hold up the others.
The allowed ones are answered once the statement holding their events and rollups is
committed; if it fails, each gets `WriteFailed` (a 503) and none of their events is
stored. While a flush runs, the next requests gather for the next one, so the batches
grow with the load by themselves and no timer delays a quiet server.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

import psycopg
from psycopg_pool import AsyncConnectionPool

from control_plane.db import Conn
from control_plane.errors import ApiError
from control_plane.foundation.permissions import Permission
from control_plane.insights.queries import access, events
from control_plane.insights.queries.access import Access, Asked, Target
from control_plane.insights.queries.events import EventRow
from control_plane.insights.services import rollups
from control_plane.insights.services.access import judge

logger = logging.getLogger("control_plane.insights.writer")

# Beyond this many events, the rest wait for the next flush: a statement stays short.
FLUSH_MAX_EVENTS = 20_000

# A request's rows, made once its access is known (its targets' organisations, projects).
RowMaker = Callable[[dict[Target, Access]], list[EventRow]]


class WriteFailed(Exception):
    """The flush holding the events failed; none of them is stored."""


@dataclass
class _Request:
    questions: list[Asked]  # its caller and the targets of its events, distinct
    make_rows: RowMaker
    size: int
    done: asyncio.Future[None] = field(default_factory=lambda: asyncio.Future())
    rows: list[EventRow] = field(default_factory=list)

    def answer(self, outcome: BaseException | None) -> None:
        if self.done.done():  # its client went away
            return
        if outcome is None:
            self.done.set_result(None)
        else:
            self.done.set_exception(outcome)


class EventWriter:
    def __init__(self, pool: AsyncConnectionPool[Conn]) -> None:
        self._pool = pool
        self._waiting: list[_Request] = []
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

    async def write(self, questions: list[Asked], make_rows: RowMaker, size: int) -> None:
        """Return once the caller may track in every target asked (ApiError otherwise)
        and the rows made for them, `size` of them, are committed with their rollups
        (`WriteFailed` otherwise)."""
        if self._closing:
            raise WriteFailed("the server is stopping")
        request = _Request(questions, make_rows, size)
        self._waiting.append(request)
        self._wake.set()
        await request.done

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._waiting:
                await self._flush_next()
            if self._closing:
                return

    def _take(self) -> list[_Request]:
        taken, size = 0, 0
        for request in self._waiting:
            if size and size + request.size > FLUSH_MAX_EVENTS:
                break
            taken, size = taken + 1, size + request.size
        batch, self._waiting = self._waiting[:taken], self._waiting[taken:]
        return batch

    async def _flush_next(self) -> None:
        batch = self._take()
        try:
            allowed = await self._flush(batch)
        except Exception as error:  # the database's, or a bug: the waiters must hear of it
            logger.warning("could not write the events of %d requests", len(batch), exc_info=True)
            for request in batch:
                request.answer(WriteFailed(type(error).__name__))
        else:
            for request in allowed:
                request.answer(None)

    async def _flush(self, batch: list[_Request]) -> list[_Request]:
        """Judge and write the batch; the requests written (the others are answered)."""
        async with self._pool.connection() as connection:
            questions = list(dict.fromkeys(q for request in batch for q in request.questions))
            answers = await access.resolve(connection, questions)
            allowed = [request for request in batch if self._allow(request, answers)]
            rows = [row for request in allowed for row in request.rows]
            if rows:
                await self._write(connection, rows)
        return allowed

    @staticmethod
    def _allow(request: _Request, answers: dict[Asked, Access]) -> bool:
        try:
            request.rows = request.make_rows(
                judge(request.questions, answers, Permission.INSIGHTS_TRACK)
            )
        except ApiError as refusal:
            request.answer(refusal)
            return False
        return True

    async def _write(self, connection: Conn, rows: Sequence[EventRow]) -> None:
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
