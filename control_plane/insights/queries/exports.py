"""SQL of the activity exports: the feed of GET /activities/ (kind 'activity', newest
first) read through a server-side cursor, so that a long range streams in batches and is
never held in memory; and its count per day, for the PDF's chart."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from psycopg import sql
from psycopg.rows import class_row

from control_plane.db import Conn, fetch_all

BATCH = 2000


@dataclass(frozen=True)
class ActivityFilters:
    project: bool
    app: bool
    user: bool
    name: bool
    own: bool


@dataclass(frozen=True)
class ActivityRecord:
    organization_id: uuid.UUID
    project_id: uuid.UUID | None
    app_id: uuid.UUID | None
    name: str
    properties: dict[str, Any]
    occurred_at: datetime
    distinct_id: str
    user_id: uuid.UUID | None


COLUMNS = [field for field in ActivityRecord.__dataclass_fields__]

_WHERE = sql.SQL(
    "kind = 'activity' AND organization_id = %(organization)s "
    "AND occurred_at >= %(since)s AND occurred_at < %(until)s"
)
_OPTIONAL = {
    "project": sql.SQL(" AND project_id = %(project)s"),
    "app": sql.SQL(" AND app_id = %(app)s"),
    "user": sql.SQL(" AND user_id = %(user)s"),
    "name": sql.SQL(" AND name = %(name)s"),
    "own": sql.SQL(" AND user_id = %(caller)s"),
}


def _where(filters: ActivityFilters) -> sql.Composed:
    chosen = [part for name, part in _OPTIONAL.items() if getattr(filters, name)]
    return sql.Composed([_WHERE, *chosen])


_FEED = sql.SQL("""
SELECT organization_id, project_id, app_id, name, properties, occurred_at, distinct_id, user_id
FROM insights_events WHERE {where}
ORDER BY occurred_at DESC, id DESC
""")
_NEWEST = sql.SQL("{feed} LIMIT %(limit)s")
_PER_DAY = sql.SQL("""
SELECT (occurred_at AT TIME ZONE 'UTC')::date AS day, count(*) AS activities
FROM insights_events WHERE {where} GROUP BY 1 ORDER BY 1
""")


async def feed(
    connection: Conn, filters: ActivityFilters, values: Mapping[str, Any]
) -> AsyncIterator[list[ActivityRecord]]:
    """The activities in batches, from a server-side cursor (in a transaction of its own
    on `connection`)."""
    statement = _FEED.format(where=_where(filters))
    async with connection.transaction():
        cursor = connection.cursor(name="insights_export", row_factory=class_row(ActivityRecord))
        async with cursor:
            await cursor.execute(statement, values)
            while batch := await cursor.fetchmany(BATCH):
                yield batch


async def newest(
    connection: Conn, filters: ActivityFilters, values: Mapping[str, Any], limit: int
) -> list[ActivityRecord]:
    statement = _NEWEST.format(feed=_FEED.format(where=_where(filters)))
    return await fetch_all(connection, ActivityRecord, statement, {**values, "limit": limit})


@dataclass(frozen=True)
class DayCount:
    day: date
    activities: int


async def per_day(
    connection: Conn, filters: ActivityFilters, values: Mapping[str, Any]
) -> list[DayCount]:
    statement = _PER_DAY.format(where=_where(filters))
    return await fetch_all(connection, DayCount, statement, values)
