"""The daily and weekly counts from the rollups, with unique users counted only for the
periods whose events changed since they were last counted (queries/period_users.py): the
other periods' figures are still exact, since only a new event can add a user to one."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from control_plane.db import Conn
from control_plane.insights.models.analytics import Interval, Period
from control_plane.insights.queries import period_users as queries
from control_plane.insights.queries.analytics import CountsRecord, Filters
from control_plane.insights.queries.period_users import PeriodFigure

_LENGTH = {Interval.DAY: timedelta(days=1), Interval.WEEK: timedelta(weeks=1)}


def _starts(period: Period, length: timedelta) -> list[date]:
    starts, start = [], period.since.date()
    while start < period.until.date():
        starts.append(start)
        start += length
    return starts


async def counts(
    connection: Conn, filters: Filters, values: Mapping[str, Any], period: Period
) -> list[CountsRecord]:
    """One row per day or week of the period and per series, zeros included."""
    length = _LENGTH[Interval(values["interval"])]
    current = await queries.period_events(connection, filters, values)
    known = {
        (row.start, row.event): row for row in await queries.stored(connection, filters, values)
    }
    stale = [
        figure
        for figure in current
        if (stored := known.get((figure.start, figure.event))) is None
        or stored.events != figure.events
    ]
    users = {(row.start, row.event): row.users for row in known.values()}
    if stale:
        days = sorted({f.start + timedelta(days=n) for f in stale for n in range(length.days)})
        counted = await queries.users_of_days(connection, filters, values, days)
        users |= {(row.start, row.event): row.users for row in counted}
        fresh = [
            PeriodFigure(f.start, f.event, f.events, users.get((f.start, f.event), 0))
            for f in stale
        ]
        await queries.store(connection, values, fresh)
    events = {(figure.start, figure.event): figure.events for figure in current}
    return [
        CountsRecord(
            period=datetime.combine(start, time(), UTC),
            event=event,
            events=events.get((start, event), 0),
            users=users.get((start, event), 0) if (start, event) in events else 0,
        )
        for start in _starts(period, length)
        for event in values["series"]
    ]
