"""SQL of `insights_events` and its rollups (0700_insights.sql): events copied in bulk,
one activity inserted, the hourly counts and the daily distinct ids added to, partitions
made and dropped.

The rollups are written in the transaction of the events they count, from totals the
caller computed (services/rollups.py), in the order of their keys, so that two writers
adding to the same rows lock them in the same order and never deadlock."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

from psycopg import sql

from control_plane.db import Conn, fetch_all

COPY = """
COPY insights_events (organization_id, project_id, app_id, kind, name, distinct_id, user_id,
                      properties, occurred_at, source)
FROM STDIN
"""

INSERT = """
INSERT INTO insights_events (organization_id, project_id, app_id, kind, name, distinct_id,
                             user_id, properties, occurred_at, source)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s::jsonb, %s, %s)
RETURNING id, received_at
"""

ADD_COUNTS = """
INSERT INTO insights_event_counts AS c (organization_id, project_id, name, hour, events)
SELECT * FROM unnest(%(organizations)s::uuid[], %(projects)s::uuid[], %(names)s::text[],
                     %(hours)s::timestamptz[], %(counts)s::bigint[])
ON CONFLICT ON CONSTRAINT insights_event_counts_key
DO UPDATE SET events = c.events + excluded.events
"""

# A distinct id seen again that day changes nothing, unless seen earlier than recorded.
ADD_USERS = """
INSERT INTO insights_event_users AS u (organization_id, project_id, name, day, distinct_id,
                                       first_at)
SELECT * FROM unnest(%(organizations)s::uuid[], %(projects)s::uuid[], %(names)s::text[],
                     %(days)s::date[], %(distinct_ids)s::text[], %(first)s::timestamptz[])
ON CONFLICT ON CONSTRAINT insights_event_users_key
DO UPDATE SET first_at = excluded.first_at WHERE excluded.first_at < u.first_at
"""

ENSURE_PARTITION = "SELECT insights_ensure_partition(%(day)s::date)"

# Partitions are named insights_events_YYYYMMDD by insights_ensure_partition.
PARTITIONS_BEFORE = """
SELECT c.relname AS name, to_date(substring(c.relname FROM '\\d{8}$'), 'YYYYMMDD') AS day
FROM pg_inherits AS i
JOIN pg_class AS c ON c.oid = i.inhrelid
WHERE i.inhparent = 'insights_events'::regclass
  AND c.relname ~ '^insights_events_\\d{8}$'
  AND to_date(substring(c.relname FROM '\\d{8}$'), 'YYYYMMDD') < %(day)s
ORDER BY day
"""

DROP_PARTITION = sql.SQL("DROP TABLE {partition}")


class EventRow(NamedTuple):
    """A row of insights_events, in the order of COPY's and INSERT's columns."""

    organization_id: uuid.UUID
    project_id: uuid.UUID | None
    app_id: uuid.UUID | None
    kind: str  # 'event' or 'activity'
    name: str
    distinct_id: str
    user_id: uuid.UUID | None
    properties: str  # JSON text
    occurred_at: datetime  # in UTC
    source: str | None


@dataclass(frozen=True)
class Inserted:
    id: int
    received_at: datetime


@dataclass(frozen=True)
class Partition:
    name: str
    day: date


@dataclass(frozen=True)
class CountKey:
    organization_id: uuid.UUID
    project_id: uuid.UUID | None
    name: str
    hour: datetime


@dataclass(frozen=True)
class UserKey:
    organization_id: uuid.UUID
    project_id: uuid.UUID | None
    name: str
    day: date
    distinct_id: str


async def copy_events(connection: Conn, rows: Sequence[EventRow]) -> None:
    async with connection.cursor() as cursor, cursor.copy(COPY) as copy:
        for row in rows:
            await copy.write_row(row)


async def insert_event(connection: Conn, row: EventRow) -> Inserted:
    async with connection.cursor() as cursor:
        await cursor.execute(INSERT, row)
        found = await cursor.fetchone()
    assert found is not None
    return Inserted(*found)


def _sorted_key(key: CountKey | UserKey) -> tuple[str, ...]:
    return tuple("" if part is None else str(part) for part in vars(key).values())


async def add_counts(connection: Conn, counts: dict[CountKey, int]) -> None:
    keys = sorted(counts, key=_sorted_key)
    values = {
        "organizations": [key.organization_id for key in keys],
        "projects": [key.project_id for key in keys],
        "names": [key.name for key in keys],
        "hours": [key.hour for key in keys],
        "counts": [counts[key] for key in keys],
    }
    await connection.execute(ADD_COUNTS, values)


async def add_users(connection: Conn, first_seen: dict[UserKey, datetime]) -> None:
    keys = sorted(first_seen, key=_sorted_key)
    values = {
        "organizations": [key.organization_id for key in keys],
        "projects": [key.project_id for key in keys],
        "names": [key.name for key in keys],
        "days": [key.day for key in keys],
        "distinct_ids": [key.distinct_id for key in keys],
        "first": [first_seen[key] for key in keys],
    }
    await connection.execute(ADD_USERS, values)


async def ensure_partition(connection: Conn, day: date) -> None:
    await connection.execute(ENSURE_PARTITION, {"day": day})


async def partitions_before(connection: Conn, day: date) -> list[Partition]:
    return await fetch_all(connection, Partition, PARTITIONS_BEFORE, {"day": day})


async def drop_partition(connection: Conn, partition: Partition) -> None:
    await connection.execute(DROP_PARTITION.format(partition=sql.Identifier(partition.name)))
