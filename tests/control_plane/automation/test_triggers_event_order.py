"""Automation's reading of platform events on a real PostgreSQL: an event whose
transaction commits after a later event's is read, never passed over (the events are
read in (transaction, id) order once every older transaction has ended), and the cursor
moves past what was read."""

from __future__ import annotations

import asyncio
import uuid

import psycopg

from control_plane import events
from control_plane.automation.queries import platform_events


async def _connect(url: str) -> psycopg.AsyncConnection[tuple[object, ...]]:
    return await psycopg.AsyncConnection.connect(url, autocommit=True)


async def _read(url: str) -> list[tuple[str, int]]:
    """Read the settled events after the cursor and move it past them: (name, id)."""
    async with await _connect(url) as connection, connection.transaction():
        cursor = await platform_events.lock_cursor(connection)
        read = await platform_events.settled_after(connection, cursor, 100)
        if read:
            await platform_events.advance(connection, read[-1])
        return [(event.payload["n"], event.id) for event in read]


def test_an_event_committed_after_a_later_one_is_not_passed_over(database: str) -> None:
    async def scenario() -> None:
        async with await _connect(database) as setup:
            cursor = await setup.execute(
                "INSERT INTO organizations (name) VALUES ('Events') RETURNING id"
            )
            row = await cursor.fetchone()
            assert row is not None
            organization = uuid.UUID(str(row[0]))
        first, second = await _connect(database), await _connect(database)
        async with first, second:
            await first.execute("BEGIN")
            await events.emit(first, organization, events.PROJECT_CREATED, {"n": "first"})
            await second.execute("BEGIN")
            await events.emit(second, organization, events.PROJECT_CREATED, {"n": "second"})
            await second.execute("COMMIT")
            # The second event is committed, the first not yet: reading the second now
            # would move the cursor past the first's id for good.
            assert await _read(database) == []
            await first.execute("COMMIT")
        read = await _read(database)
        assert [name for name, _ in read] == ["first", "second"]
        assert read[0][1] < read[1][1]
        assert await _read(database) == []
        async with await _connect(database) as third:
            await events.emit(third, organization, events.PROJECT_PUBLISHED, {"n": "third"})
        assert [name for name, _ in await _read(database)] == ["third"]

    asyncio.run(scenario())
