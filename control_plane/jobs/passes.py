"""Passes: short work that every worker repeats beside its jobs, every few seconds and at
once when a PostgreSQL channel is notified: the automation's trigger dispatchers (cron
ticks, platform events). A job per pass would leave a queue row every few seconds for
ever; a pass leaves nothing.

Several workers run each pass at once, so a pass must make itself exactly-once with its
own locks (a row locked FOR UPDATE, an insert ON CONFLICT DO NOTHING). A pass that fails
(the database away, a bug) is logged and runs again at its next time.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from psycopg import AsyncConnection, sql
from psycopg import Error as DatabaseError
from psycopg_pool import AsyncConnectionPool

logger = logging.getLogger("control_plane.jobs.passes")

PassHandler = Callable[[AsyncConnectionPool[AsyncConnection[Any]]], Awaitable[None]]


@dataclass(frozen=True)
class Pass:
    name: str
    handler: PassHandler
    every_seconds: float
    channel: str | None  # LISTENed to: a notification runs the pass at once


async def _wait_for_notification(listener: AsyncConnection[Any], seconds: float) -> None:
    """Return after `seconds`, or at the first notification (and drop those queued with
    it: one run reads what they all announced)."""
    async for _ in listener.notifies(timeout=seconds, stop_after=1):
        pass
    async for _ in listener.notifies(timeout=0.001):  # not nested: that would wait forever
        pass


async def _repeat(
    work: Pass, pool: AsyncConnectionPool[AsyncConnection[Any]], wait: Callable[[], Awaitable[Any]]
) -> None:
    while True:
        try:
            await work.handler(pool)
        except (DatabaseError, OSError):
            logger.warning("pass %s failed (database unavailable?)", work.name, exc_info=True)
        except Exception:
            logger.exception("pass %s failed", work.name)
        await wait()


async def run_pass_forever(
    work: Pass, pool: AsyncConnectionPool[AsyncConnection[Any]], database_url: str
) -> None:
    """Run `work` until cancelled; a pass with a channel listens on a connection of its
    own, made again after the database comes back."""
    channel = work.channel
    if channel is None:
        await _repeat(work, pool, lambda: asyncio.sleep(work.every_seconds))
        return
    while True:
        try:
            async with await AsyncConnection.connect(database_url, autocommit=True) as listener:
                await listener.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
                await _repeat(
                    work, pool, lambda: _wait_for_notification(listener, work.every_seconds)
                )
        except (DatabaseError, OSError):
            logger.warning("pass %s: its channel is unavailable", work.name, exc_info=True)
        await asyncio.sleep(work.every_seconds)
