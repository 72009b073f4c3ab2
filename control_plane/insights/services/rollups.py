"""Writing events with their rollups, in the caller's transaction: the one way events
reach `insights_events`, so that the hourly counts and the daily distinct ids always
count exactly the events committed (docs/insights.md, "Storage")."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime

from control_plane.db import Conn
from control_plane.insights.queries import events
from control_plane.insights.queries.events import CountKey, EventRow, Inserted, UserKey


def days_of(rows: Sequence[EventRow]) -> set[date]:
    return {row.occurred_at.date() for row in rows}


def _rollups(rows: Sequence[EventRow]) -> tuple[Counter[CountKey], dict[UserKey, datetime]]:
    counts: Counter[CountKey] = Counter()
    first_seen: dict[UserKey, datetime] = {}
    for row in rows:
        at = row.occurred_at
        organization, project, name = row.organization_id, row.project_id, row.name
        hour = at.replace(minute=0, second=0, microsecond=0)
        counts[CountKey(organization, project, name, hour)] += 1
        user = UserKey(organization, project, name, at.date(), row.distinct_id)
        earliest = first_seen.get(user)
        if earliest is None or at < earliest:
            first_seen[user] = at
    return counts, first_seen


async def _add_to_rollups(connection: Conn, rows: Sequence[EventRow]) -> None:
    counts, first_seen = _rollups(rows)
    await events.add_counts(connection, counts)
    await events.add_users(connection, first_seen)


async def write_many(connection: Conn, rows: Sequence[EventRow]) -> None:
    """Copy the events and add them to the rollups (inside the caller's transaction).
    Their days' partitions must exist."""
    await events.copy_events(connection, rows)
    await _add_to_rollups(connection, rows)


async def write_one(connection: Conn, row: EventRow) -> Inserted:
    """Insert one event with its rollups (inside the caller's transaction), making its
    day's partition if needed."""
    await events.ensure_partition(connection, row.occurred_at.date())
    inserted = await events.insert_event(connection, row)
    await _add_to_rollups(connection, [row])
    return inserted
