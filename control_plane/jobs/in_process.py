"""The job worker a server runs in its own process (`IN_PROCESS_WORKER`, on by default),
so that `nocode serve` alone runs jobs.

A server has several processes (one per CPU), and several servers may share a database:
of all of them, the one holding a PostgreSQL advisory lock runs the worker, the others
wait their turn. If that process dies, its session ends, the lock goes with it, and
another process takes over within `RETRY_SECONDS`. If the session ends while the process
lives (the database restarted), the process stops its worker and takes turns again, so
that two workers never run where one was meant. More workers: `nocode worker`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import psycopg

from control_plane.jobs.worker import run_worker

logger = logging.getLogger("control_plane.jobs.in_process")

WORKER_LOCK = 7_112_003  # migrations hold 7_112_001, stalled-job recovery 7_112_002
RETRY_SECONDS = 5


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


async def _until_stopped_or_lock_lost(
    holder: psycopg.AsyncConnection[Any], stop: asyncio.Event
) -> None:
    """Return once `stop` is set or the session holding the lock has ended."""
    while True:
        await _wait(stop, RETRY_SECONDS)
        if stop.is_set():
            return
        try:
            await holder.execute("SELECT 1")
        except psycopg.OperationalError:
            logger.warning("in-process job worker: its lock's session ended; stopping it")
            return


async def _run_while_holding(
    holder: psycopg.AsyncConnection[Any], database_url: str, concurrency: int, stop: asyncio.Event
) -> None:
    """Run the worker until `stop` is set or the lock is lost."""
    worker_stop = asyncio.Event()
    holding = asyncio.create_task(_until_stopped_or_lock_lost(holder, stop))
    holding.add_done_callback(lambda _: worker_stop.set())
    try:
        await run_worker(database_url, concurrency=concurrency, stop=worker_stop)
    finally:
        holding.cancel()


async def run_in_process_worker(database_url: str, concurrency: int, stop: asyncio.Event) -> None:
    """Run the worker (`concurrency` jobs at once) while this process holds the lock,
    until `stop` is set."""
    while not stop.is_set():
        try:
            async with await psycopg.AsyncConnection.connect(
                database_url, autocommit=True
            ) as holder:
                cursor = await holder.execute("SELECT pg_try_advisory_lock(%s)", (WORKER_LOCK,))
                row = await cursor.fetchone()
                if row is not None and row[0]:
                    logger.info("running the in-process job worker")
                    await _run_while_holding(holder, database_url, concurrency, stop)
        except psycopg.OperationalError as error:
            logger.warning("in-process job worker: database unavailable: %s", error)
        await _wait(stop, RETRY_SECONDS)
