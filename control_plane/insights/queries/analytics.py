"""SQL of the analytics reports.

Each report reads two relations: `counts` (name, at, events: events per hour) and `users`
(name, at, distinct_id: who did a name in an hour or a day). They come from the rollups
(`insights_event_counts`, `insights_event_users`) when the report allows, or from the raw
events when it filters on what the rollups do not keep (properties, the caller's own
events) or needs a finer grain (unique users per hour). The funnel reads the raw events
alone: it needs their order. Filters are composed from constant parts, only those the
report uses, so that each statement's plan fits its filters.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from psycopg import sql

from control_plane.db import Conn, fetch_all

# A report sorts or hashes up to millions of distinct ids: in memory, not in temporary
# files (at most a few such nodes a report, and the pool bounds the reports at once).
_MEMORY = "SET LOCAL work_mem = '64MB'"


@asynccontextmanager
async def _report(connection: Conn) -> AsyncIterator[None]:
    async with connection.transaction():
        await connection.execute(_MEMORY)
        yield


@dataclass(frozen=True)
class Filters:
    """Which optional filters a report applies."""

    project: bool
    names: bool
    properties: bool
    own: bool

    @property
    def rollups_allowed(self) -> bool:
        return not (self.properties or self.own)


_EVENTS_WHERE = sql.SQL(
    "organization_id = %(organization)s AND occurred_at >= %(since)s AND occurred_at < %(until)s"
)
_ROLLUP_HOURS = sql.SQL(
    "organization_id = %(organization)s AND hour >= %(since)s AND hour < %(until)s"
)
_ROLLUP_DAYS = sql.SQL(
    "organization_id = %(organization)s AND day >= %(since_day)s AND day < %(until_day)s"
)
_PROJECT = sql.SQL(" AND project_id = %(project)s")
_NAMES = sql.SQL(" AND name = ANY(%(events)s)")
_PROPERTIES = sql.SQL(" AND properties @> %(properties)s")
_OWN = sql.SQL(" AND user_id = %(user)s")


def where_of(base: sql.SQL, filters: Filters, names: sql.Composable = _NAMES) -> sql.Composed:
    parts: list[sql.Composable] = [base]
    if filters.project:
        parts.append(_PROJECT)
    if filters.names:
        parts.append(names)
    if filters.properties:
        parts.append(_PROPERTIES)
    if filters.own:
        parts.append(_OWN)
    return sql.Composed(parts)


def counts_source(filters: Filters) -> sql.Composed:
    if filters.rollups_allowed:
        return sql.SQL(
            "SELECT name, hour AS at, events FROM insights_event_counts WHERE {where}"
        ).format(where=where_of(_ROLLUP_HOURS, filters))
    return sql.SQL(
        "SELECT name, date_trunc('hour', occurred_at) AS at, count(*) AS events "
        "FROM insights_events WHERE {where} GROUP BY 1, 2"
    ).format(where=where_of(_EVENTS_WHERE, filters))


def users_source(filters: Filters, hourly: bool = False) -> sql.Composed:
    """`users` at the grain of a day (an hour when `hourly`: from the raw events)."""
    if filters.rollups_allowed and not hourly:
        return sql.SQL(
            "SELECT name, day::timestamptz AS at, distinct_id "
            "FROM insights_event_users WHERE {where}"
        ).format(where=where_of(_ROLLUP_DAYS, filters))
    grain = sql.Literal("hour" if hourly else "day")
    return sql.SQL(
        "SELECT DISTINCT name, date_trunc({grain}, occurred_at) AS at, distinct_id "
        "FROM insights_events WHERE {where}"
    ).format(grain=grain, where=where_of(_EVENTS_WHERE, filters))


@dataclass(frozen=True)
class CountsRecord:
    period: datetime
    event: str | None
    events: int
    users: int


# One row per period of the range and per event (per NULL when not split by event), zeros
# included, so that a chart has every period.
_COUNTS = sql.SQL("""
WITH counts AS ({counts}), users AS ({users}),
periods AS (
    SELECT generate_series(%(since)s::timestamptz, %(until)s::timestamptz - interval '1 us',
                           %(step)s::interval) AS period
),
series AS (SELECT unnest(%(series)s::text[]) AS event)
SELECT p.period, s.event, coalesce(c.events, 0)::bigint AS events,
       coalesce(u.users, 0)::bigint AS users
FROM periods AS p CROSS JOIN series AS s
LEFT JOIN (
    SELECT date_trunc(%(interval)s, at) AS period, {event} AS event, sum(events) AS events
    FROM counts GROUP BY 1, 2
) AS c ON c.period = p.period AND c.event IS NOT DISTINCT FROM s.event
LEFT JOIN (
    SELECT date_trunc(%(interval)s, at) AS period, {event} AS event,
           count(DISTINCT distinct_id COLLATE "C") AS users
    FROM users GROUP BY 1, 2
) AS u ON u.period = p.period AND u.event IS NOT DISTINCT FROM s.event
ORDER BY p.period, s.event
""")


async def counts(
    connection: Conn, filters: Filters, hourly: bool, values: Mapping[str, Any]
) -> list[CountsRecord]:
    event = sql.SQL("name") if filters.names else sql.SQL("NULL::text")
    statement = _COUNTS.format(
        counts=counts_source(filters), users=users_source(filters, hourly), event=event
    )
    async with _report(connection):
        return await fetch_all(connection, CountsRecord, statement, values)


@dataclass(frozen=True)
class TopEventRecord:
    event: str
    events: int
    users: int


# The names by count first (the hourly rollup is small), then the unique users of those
# names only.
_TOP_EVENTS = sql.SQL("""
WITH counts AS ({counts})
SELECT top.name AS event, top.events, coalesce(u.users, 0)::bigint AS users
FROM (
    SELECT name, sum(events)::bigint AS events FROM counts
    GROUP BY name ORDER BY events DESC, name LIMIT %(limit)s
) AS top
LEFT JOIN LATERAL (
    SELECT count(DISTINCT distinct_id COLLATE "C") AS users FROM ({users}) AS users
) AS u ON true
ORDER BY top.events DESC, top.name
""")
_TOP_NAME = sql.SQL(" AND name = top.name")


async def top_events(
    connection: Conn, filters: Filters, values: Mapping[str, Any]
) -> list[TopEventRecord]:
    users = _users_of_name(replace(filters, names=True))
    statement = _TOP_EVENTS.format(counts=counts_source(filters), users=users)
    async with _report(connection):
        return await fetch_all(connection, TopEventRecord, statement, values)


def _users_of_name(filters: Filters) -> sql.Composed:
    if filters.rollups_allowed:
        return sql.SQL("SELECT distinct_id FROM insights_event_users WHERE {where}").format(
            where=where_of(_ROLLUP_DAYS, filters, names=_TOP_NAME)
        )
    return sql.SQL("SELECT distinct_id FROM insights_events WHERE {where}").format(
        where=where_of(_EVENTS_WHERE, filters, names=_TOP_NAME)
    )


# Step k of a distinct id: its first event of step k at or after its step k-1, within
# `window` of its step 1 (its first step-1 event of the period).
_FIRST_STEP = sql.SQL("""
step1 AS (
    SELECT distinct_id, min(occurred_at) AS started, min(occurred_at) AS at
    FROM steps WHERE name = (%(steps)s::text[])[1] GROUP BY distinct_id
)""")
_NEXT_STEP = sql.SQL("""
{this} AS (
    SELECT p.distinct_id, p.started, min(e.occurred_at) AS at
    FROM {previous} AS p JOIN steps AS e
      ON e.distinct_id = p.distinct_id AND e.name = (%(steps)s::text[])[{number}]
     AND e.occurred_at >= p.at AND e.occurred_at <= p.started + %(window)s::interval
    GROUP BY p.distinct_id, p.started
)""")
_FUNNEL = sql.SQL("""
WITH steps AS NOT MATERIALIZED (
    SELECT distinct_id, name, occurred_at FROM insights_events WHERE {where}
), {steps}
SELECT ARRAY[{counts}]::bigint[]
""")
_STEPS_NAMES = sql.SQL(" AND name = ANY(%(steps)s)")


async def funnel(connection: Conn, filters: Filters, values: Mapping[str, Any]) -> list[int]:
    """The number of distinct ids at each step."""
    count = len(values["steps"])
    steps: list[sql.Composable] = [_FIRST_STEP]
    for number in range(2, count + 1):
        steps.append(
            _NEXT_STEP.format(
                this=sql.Identifier(f"step{number}"),
                previous=sql.Identifier(f"step{number - 1}"),
                number=sql.Literal(number),
            )
        )
    counts = sql.SQL(", ").join(
        sql.SQL("(SELECT count(*) FROM {})").format(sql.Identifier(f"step{number}"))
        for number in range(1, count + 1)
    )
    statement = _FUNNEL.format(
        where=where_of(_EVENTS_WHERE, replace(filters, names=True), names=_STEPS_NAMES),
        steps=sql.SQL(",").join(steps),
        counts=counts,
    )
    async with _report(connection), connection.cursor() as cursor:
        await cursor.execute(statement, values)
        row = await cursor.fetchone()
    assert row is not None
    return list(row[0])


@dataclass(frozen=True)
class RetentionRecord:
    cohort: date
    week: int
    users: int


_RETENTION = sql.SQL("""
WITH users AS ({users}),
weeks AS (
    SELECT DISTINCT distinct_id COLLATE "C" AS distinct_id, date_trunc('week', at)::date AS week
    FROM users
),
cohorts AS (SELECT distinct_id, min(week) AS cohort FROM weeks GROUP BY distinct_id)
SELECT c.cohort, (w.week - c.cohort) / 7 AS week, count(*) AS users
FROM weeks AS w JOIN cohorts AS c USING (distinct_id)
GROUP BY 1, 2 ORDER BY 1, 2
""")


async def retention(
    connection: Conn, filters: Filters, values: Mapping[str, Any]
) -> list[RetentionRecord]:
    statement = _RETENTION.format(users=users_source(filters))
    async with _report(connection):
        return await fetch_all(connection, RetentionRecord, statement, values)
