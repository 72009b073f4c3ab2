"""Writing events with their rollups: the one way events reach `insights_events`, so
that the hourly counts and the daily distinct ids always count exactly the events
committed (docs/insights.md, "Storage"). One statement (queries/events.py, WRITE)
stores both, all or nothing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from control_plane.db import Conn
from control_plane.insights.queries import events
from control_plane.insights.queries.events import EventRow, Inserted


def days_of(rows: Sequence[EventRow]) -> set[date]:
    return {row.occurred_at.date() for row in rows}


async def write(connection: Conn, rows: Sequence[EventRow]) -> Inserted:
    """Store the events and add them to the rollups, making their days' partitions if
    needed (for a writer that does not track which exist); the last one's id."""
    for day in sorted(days_of(rows)):
        await events.ensure_partition(connection, day)
    return await events.write(connection, rows)
