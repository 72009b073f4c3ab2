"""SQL of `insights_events` and its rollups (0700_insights.sql): events written with
what they add to the hourly counts and the daily distinct ids, in one statement;
partitions made and dropped."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

from psycopg import sql

from control_plane.db import Conn, fetch_all, fetch_one

# The events, and what they add to the rollups, in one statement: one round trip and one
# implicit transaction, all or nothing. PostgreSQL sums the rollups (GROUP BY) and adds to
# them in key order, so concurrent writers lock shared rollup rows in the same order and
# never deadlock. A distinct id seen again that day changes nothing, unless seen earlier.
# Arrays are sent in binary (`%(name)b`): the text format would quote every element.
# Returns the last event's id and reception time (POST /activities/ answers with them).
WRITE = """
WITH incoming AS (
    SELECT * FROM unnest(
        %(organizations)b::uuid[], %(projects)b::uuid[], %(apps)b::uuid[], %(kinds)b::text[],
        %(names)b::text[], %(distinct_ids)b::text[], %(users)b::uuid[],
        %(properties)b::text[], %(times)b::timestamptz[], %(sources)b::text[]
    ) AS e (organization_id, project_id, app_id, kind, name, distinct_id, user_id,
            properties, occurred_at, source)
),
stored AS (
    INSERT INTO insights_events (organization_id, project_id, app_id, kind, name,
                                 distinct_id, user_id, properties, occurred_at, source)
    SELECT organization_id, project_id, app_id, kind, name, distinct_id, user_id,
           properties::jsonb, occurred_at, source
    FROM incoming
    RETURNING id, received_at
),
counted AS (
    INSERT INTO insights_event_counts AS c (organization_id, project_id, name, hour, events)
    SELECT organization_id, project_id, name, date_trunc('hour', occurred_at, 'UTC'), count(*)
    FROM incoming
    GROUP BY 1, 2, 3, 4
    ORDER BY 1, 2, 3, 4
    ON CONFLICT ON CONSTRAINT insights_event_counts_key
    DO UPDATE SET events = c.events + excluded.events
),
seen AS (
    INSERT INTO insights_event_users AS u (organization_id, project_id, name, day,
                                           distinct_id, first_at)
    SELECT organization_id, project_id, name, (occurred_at AT TIME ZONE 'UTC')::date,
           distinct_id, min(occurred_at)
    FROM incoming
    GROUP BY 1, 2, 3, 4, 5
    ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT ON CONSTRAINT insights_event_users_key
    DO UPDATE SET first_at = excluded.first_at WHERE excluded.first_at < u.first_at
)
SELECT max(id) AS id, max(received_at) AS received_at FROM stored
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

EVENT, ACTIVITY = "event", "activity"  # insights_events.kind

DROP_PARTITION = sql.SQL("DROP TABLE {partition}")


class EventRow(NamedTuple):
    """A row of insights_events: its fields, in order, are WRITE's arrays (_ARRAYS)."""

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


# WRITE's parameters, one array per field of EventRow, in its order.
_ARRAYS = (
    "organizations",
    "projects",
    "apps",
    "kinds",
    "names",
    "distinct_ids",
    "users",
    "properties",
    "times",
    "sources",
)


@dataclass(frozen=True)
class Inserted:
    id: int
    received_at: datetime


@dataclass(frozen=True)
class Partition:
    name: str
    day: date


async def write(connection: Conn, rows: Sequence[EventRow]) -> Inserted:
    """Store `rows` with their rollups (their days' partitions must exist); the last
    one's id and reception time."""
    columns = [list(column) for column in zip(*rows, strict=True)]
    values = dict(zip(_ARRAYS, columns, strict=True))
    inserted = await fetch_one(connection, Inserted, WRITE, values)
    assert inserted is not None
    return inserted


async def ensure_partition(connection: Conn, day: date) -> None:
    await connection.execute(ENSURE_PARTITION, {"day": day})


async def partitions_before(connection: Conn, day: date) -> list[Partition]:
    return await fetch_all(connection, Partition, PARTITIONS_BEFORE, {"day": day})


async def drop_partition(connection: Conn, partition: Partition) -> None:
    await connection.execute(DROP_PARTITION.format(partition=sql.Identifier(partition.name)))
