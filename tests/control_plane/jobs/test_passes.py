"""Passes (control_plane/jobs/passes.py) in a real worker: one runs at start, on its
period, and at once when its channel is notified; a pass that fails runs again."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from control_plane.jobs import Registry
from tests.control_plane.jobs.conftest import connected, running_worker

passes = Registry()
CHANNEL = "test_passes"


@passes.repeat("test.record", every_seconds=30, channel=CHANNEL)
async def record(pool: AsyncConnectionPool[AsyncConnection[Any]]) -> None:
    async with pool.connection() as connection:
        await connection.execute("INSERT INTO pass_runs (name) VALUES ('record')")


@passes.repeat("test.failing", every_seconds=0.2)
async def failing(pool: AsyncConnectionPool[AsyncConnection[Any]]) -> None:
    async with pool.connection() as connection:
        await connection.execute("INSERT INTO pass_runs (name) VALUES ('failing')")
    raise RuntimeError("a pass that fails")


async def _count(connection: AsyncConnection[Any], name: str) -> int:
    cursor = await connection.execute("SELECT count(*) FROM pass_runs WHERE name = %s", (name,))
    row = await cursor.fetchone()
    assert row is not None
    return int(row[0])


async def _until(connection: AsyncConnection[Any], name: str, count: int) -> float:
    """Seconds until `name` has run `count` times (10 s at most)."""
    started = time.monotonic()
    while await _count(connection, name) < count:
        assert time.monotonic() - started < 10, f"{name} ran fewer than {count} times"
        await asyncio.sleep(0.01)
    return time.monotonic() - started


def test_a_pass_runs_at_start_on_notification_and_again_after_failing(database: str) -> None:
    async def scenario() -> None:
        async with connected(database) as connection:
            await connection.execute("CREATE TABLE pass_runs (name text NOT NULL)")
            async with running_worker(database, passes):
                await _until(connection, "record", 1)  # at start
                await asyncio.sleep(0.3)  # its LISTEN is in place
                await connection.execute(f"NOTIFY {CHANNEL}")
                seconds = await _until(connection, "record", 2)
                assert seconds < 1, seconds  # not its 30 s period
                await _until(connection, "failing", 3)
            assert await _count(connection, "record") == 2

    asyncio.run(scenario())
