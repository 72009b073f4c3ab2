"""The analytics reports: parameters checked as one model wherever they come from (a query
string, a saved dashboard, an export), whose events a caller may read, and each report
run over the rollups or the raw events (queries/analytics.py)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from psycopg.types.json import Jsonb
from pydantic import ValidationError

from control_plane.db import Conn
from control_plane.errors import VALIDATION, ApiError
from control_plane.foundation.permissions import Permission, allowed, authorize
from control_plane.insights.models.analytics import (
    CountsRow,
    FunnelStep,
    Interval,
    OutOfBounds,
    Period,
    ReportKind,
    ReportPublic,
    ReportQuery,
    Results,
    RetentionCohort,
    Scope,
    TopEventRow,
    period_of,
)
from control_plane.insights.queries import analytics as queries
from control_plane.insights.queries.analytics import Filters, RetentionRecord
from control_plane.insights.services import period_users

_STEP = {Interval.HOUR: "1 hour", Interval.DAY: "1 day", Interval.WEEK: "7 days"}


def validation_error(error: ValidationError, prefix: str = "") -> ApiError:
    """400 VALIDATION_ERROR naming each bad parameter (`prefix` before its name)."""
    details: dict[str, str] = {}
    for issue in error.errors():
        name = ".".join(str(part) for part in issue["loc"][:1]) or "query"
        details.setdefault(prefix + name, issue["msg"])
    return ApiError(VALIDATION, details)


def parse(parameters: Mapping[str, Any], prefix: str = "") -> ReportQuery:
    """The report's parameters, or 400 naming the bad one."""
    try:
        return ReportQuery.model_validate(parameters)
    except ValidationError as error:
        raise validation_error(error, prefix) from None


def query_string_parameters(items: list[tuple[str, str]], ignored: set[str]) -> dict[str, Any]:
    """A query string as the model reads it: `event` repeatable, the rest one value each
    (the last one given)."""
    parameters: dict[str, Any] = {}
    for name, value in items:
        if name in ignored:
            continue
        if name == "event":
            parameters.setdefault("event", []).append(value)
        else:
            parameters[name] = value
    return parameters


async def scope_of(connection: Conn, user_id: uuid.UUID, organization_id: uuid.UUID) -> Scope:
    """The organisation's events for a reader of its analytics, the caller's own otherwise
    (a CLIENT: the same request answered over their events, never a 403)."""
    role = await authorize(connection, user_id, organization_id, Permission.INSIGHTS_OWN)
    return Scope.ORGANIZATION if allowed(role, Permission.INSIGHTS_READ) else Scope.OWN


def resolve_period(query: ReportQuery, prefix: str = "") -> Period:
    try:
        return period_of(query, datetime.now(UTC))
    except OutOfBounds as error:
        raise ApiError(VALIDATION, {prefix + error.parameter: error.problem}) from None


async def run(
    connection: Conn,
    organization_id: uuid.UUID,
    query: ReportQuery,
    period: Period,
    scope: Scope,
    user_id: uuid.UUID,
) -> ReportPublic:
    filters = Filters(
        project=query.project is not None,
        names=bool(query.event),
        properties=bool(query.properties),
        own=scope == Scope.OWN,
    )
    series: list[str | None] = [*query.event] if query.event else [None]
    values = {
        "organization": organization_id,
        "since": period.since,
        "until": period.until,
        "since_day": period.since.date(),
        "until_day": (period.until - timedelta(microseconds=1)).date() + timedelta(days=1),
        "project": query.project,
        "events": query.event,
        "properties": Jsonb(query.properties),
        "user": user_id,
        "interval": query.interval.value,
        "step": _STEP[query.interval],
        "series": series,
        "limit": query.limit,
        "steps": query.steps,
        "window": timedelta(days=query.window_days),
    }
    results: Results
    hourly = query.report == ReportKind.COUNTS and query.interval == Interval.HOUR
    if query.report == ReportKind.COUNTS:
        if not hourly and filters.rollups_allowed:
            records = await period_users.counts(connection, filters, values, period)
        else:
            records = await queries.counts(connection, filters, hourly, values)
        results = [CountsRow(**vars(record)) for record in records]
    elif query.report == ReportKind.TOP_EVENTS:
        top = await queries.top_events(connection, filters, values)
        results = [TopEventRow(**vars(record)) for record in top]
    elif query.report == ReportKind.FUNNEL:
        results = funnel_steps(query.steps, await queries.funnel(connection, filters, values))
    else:
        records_of_weeks = await queries.retention(connection, filters, values)
        results = cohorts(records_of_weeks, period)
    raw = query.report == ReportKind.FUNNEL or hourly or not filters.rollups_allowed
    return ReportPublic(
        report=query.report,
        organization_id=organization_id,
        scope=scope,
        since=period.since,
        until=period.until,
        interval=query.interval if query.report == ReportKind.COUNTS else None,
        events=query.event,
        project=query.project,
        properties=query.properties,
        source="events" if raw else "rollups",
        results=results,
    )


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def funnel_steps(names: list[str], users: list[int]) -> list[FunnelStep]:
    return [
        FunnelStep(
            step=number,
            event=name,
            users=count,
            from_previous=_share(count, users[number - 2]) if number > 1 else None,
            from_first=_share(count, users[0]) if number > 1 else None,
        )
        for number, (name, count) in enumerate(zip(names, users, strict=True), start=1)
    ]


def cohorts(records: list[RetentionRecord], period: Period) -> list[RetentionCohort]:
    """Per cohort week, the active ids of each week from it to the period's last, zeros
    included."""
    last_week = (period.until - timedelta(microseconds=1)).date()
    last_week -= timedelta(days=last_week.weekday())
    active: dict[Any, list[int]] = {}
    for record in records:
        weeks = active.setdefault(record.cohort, [0] * ((last_week - record.cohort).days // 7 + 1))
        weeks[record.week] = record.users
    return [
        RetentionCohort(
            cohort=cohort,
            users=weeks[0],
            active=weeks,
            shares=[_share(count, weeks[0]) or 0.0 for count in weeks],
        )
        for cohort, weeks in sorted(active.items())
    ]
