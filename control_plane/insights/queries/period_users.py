"""SQL of `insights_period_users`: the unique users of each day or week per series (every
name, or one name), stored with the period's event count they were computed at, so that
the counts report counts distinct ids only for the periods whose events changed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from psycopg import sql

from control_plane.db import Conn, fetch_all
from control_plane.insights.queries.analytics import Filters, counts_source, where_of


@dataclass(frozen=True)
class PeriodFigure:
    start: date
    event: str | None
    events: int
    users: int


def _series(filters: Filters) -> sql.SQL:
    return sql.SQL("name") if filters.names else sql.SQL("NULL::text")


# The events of each period and series, from the hourly rollup (users: not known here).
_PERIOD_EVENTS = sql.SQL("""
SELECT date_trunc(%(interval)s, at AT TIME ZONE 'UTC')::date AS start, {series} AS event,
       sum(events)::bigint AS events, 0::bigint AS users
FROM ({counts}) AS counts GROUP BY 1, 2
""")

_STORED = sql.SQL("""
SELECT start, name AS event, events, users FROM insights_period_users
WHERE organization_id = %(organization)s AND project_id IS NOT DISTINCT FROM %(project)s
  AND grain = %(interval)s AND start >= %(since_day)s AND start < %(until_day)s
  AND {names}
""")
_EVERY_NAME = sql.SQL("name IS NULL")
_THOSE_NAMES = sql.SQL("name = ANY(%(events)s)")

_DAYS = sql.SQL("organization_id = %(organization)s AND day = ANY(%(days)s)")
_USERS_OF_DAYS = sql.SQL("""
SELECT date_trunc(%(interval)s, day)::date AS start, {series} AS event, 0::bigint AS events,
       count(DISTINCT distinct_id COLLATE "C") AS users
FROM insights_event_users WHERE {where} GROUP BY 1, 2
""")

STORE = """
INSERT INTO insights_period_users (organization_id, project_id, name, grain, start, events,
                                   users)
SELECT %(organization)s::uuid, %(project)s::uuid, name, %(interval)s, start, events, users
FROM unnest(%(names)s::text[], %(starts)s::date[], %(counts)s::bigint[], %(users)s::bigint[])
    AS figure(name, start, events, users)
ON CONFLICT ON CONSTRAINT insights_period_users_key
DO UPDATE SET events = excluded.events, users = excluded.users
"""


async def period_events(
    connection: Conn, filters: Filters, values: Mapping[str, Any]
) -> list[PeriodFigure]:
    statement = _PERIOD_EVENTS.format(series=_series(filters), counts=counts_source(filters))
    return await fetch_all(connection, PeriodFigure, statement, values)


async def stored(
    connection: Conn, filters: Filters, values: Mapping[str, Any]
) -> list[PeriodFigure]:
    statement = _STORED.format(names=_THOSE_NAMES if filters.names else _EVERY_NAME)
    return await fetch_all(connection, PeriodFigure, statement, values)


async def users_of_days(
    connection: Conn, filters: Filters, values: Mapping[str, Any], days: Sequence[date]
) -> list[PeriodFigure]:
    """Distinct ids counted anew over those days, per period of the report's interval."""
    statement = _USERS_OF_DAYS.format(series=_series(filters), where=where_of(_DAYS, filters))
    return await fetch_all(connection, PeriodFigure, statement, {**values, "days": list(days)})


async def store(
    connection: Conn, values: Mapping[str, Any], figures: Sequence[PeriodFigure]
) -> None:
    await connection.execute(
        STORE,
        {
            "organization": values["organization"],
            "project": values["project"],
            "interval": values["interval"],
            "names": [figure.event for figure in figures],
            "starts": [figure.start for figure in figures],
            "counts": [figure.events for figure in figures],
            "users": [figure.users for figure in figures],
        },
    )
