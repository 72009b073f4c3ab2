"""The daily counts report from the rollups, with unique users counted only for the days
whose events changed since they were last counted (queries/daily_users.py): the other
days' figures are still exact, since only a new event can add a user to a day."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, time, timedelta
from typing import Any

from control_plane.db import Conn
from control_plane.insights.models.analytics import Period
from control_plane.insights.queries import daily_users as queries
from control_plane.insights.queries.analytics import CountsRecord, Filters
from control_plane.insights.queries.daily_users import DayFigure


async def daily_counts(
    connection: Conn, filters: Filters, values: Mapping[str, Any], period: Period
) -> list[CountsRecord]:
    """One row per day of the period and per series, zeros included."""
    current = await queries.day_events(connection, filters, values)
    known = {(row.day, row.event): row for row in await queries.stored(connection, filters, values)}
    stale = [
        figure
        for figure in current
        if (stored := known.get((figure.day, figure.event))) is None
        or stored.events != figure.events
    ]
    users = {(row.day, row.event): row.users for row in known.values()}
    if stale:
        days = sorted({figure.day for figure in stale})
        counted = await queries.users_of_days(connection, filters, values, days)
        users |= {(row.day, row.event): row.users for row in counted}
        fresh = [DayFigure(f.day, f.event, f.events, users.get((f.day, f.event), 0)) for f in stale]
        await queries.store(connection, values, fresh)
    events = {(figure.day, figure.event): figure.events for figure in current}
    series = values["series"]
    rows = []
    day = period.since.date()
    while day < period.until.date():
        for event in series:
            rows.append(
                CountsRecord(
                    period=datetime.combine(day, time(), UTC),
                    event=event,
                    events=events.get((day, event), 0),
                    users=users.get((day, event), 0) if (day, event) in events else 0,
                )
            )
        day += timedelta(days=1)
    return rows
