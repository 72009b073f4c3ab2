"""Exports of a report or of the activity feed as CSV, JSON or PDF (docs/insights.md,
"Exports").

CSV and JSON are written as the rows come: an activity range streams from a server-side
cursor in batches, never held whole. The PDF is a document a person reads
(services/pdf_reports.py), drawn in a worker thread with a bounded number of rows, at
most two at once per server process, so that the event loop keeps answering."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import uuid
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Any

from psycopg_pool import AsyncConnectionPool
from pydantic import BaseModel, ValidationError

from control_plane.db import Conn
from control_plane.errors import VALIDATION, ApiError
from control_plane.insights.models.analytics import (
    CountsRow,
    FunnelStep,
    OutOfBounds,
    Period,
    ReportKind,
    ReportPublic,
    RetentionCohort,
    Scope,
    TopEventRow,
    bounded_period,
)
from control_plane.insights.models.exports import ActivityQuery, ExportFormat
from control_plane.insights.queries import exports as queries
from control_plane.insights.queries.exports import COLUMNS, ActivityFilters, ActivityRecord
from control_plane.insights.services import analytics
from control_plane.insights.services.pdf_reports import Chart, Document, render

_PDF_RENDERS = asyncio.Semaphore(2)
_ROW_MODELS: dict[ReportKind, type[BaseModel]] = {
    ReportKind.COUNTS: CountsRow,
    ReportKind.TOP_EVENTS: TopEventRow,
    ReportKind.FUNNEL: FunnelStep,
}
_TITLES = {
    ReportKind.COUNTS: "Events and unique users",
    ReportKind.TOP_EVENTS: "Top events",
    ReportKind.FUNNEL: "Funnel",
    ReportKind.RETENTION: "Retention by cohort week",
}


def filename(source: str, period: Period, export_format: ExportFormat) -> str:
    return f"insights-{source}-{period.since:%Y%m%d}-{period.until:%Y%m%d}.{export_format}"


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def csv_text(rows: Iterable[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(
        [_text(value) for value in row] for row in rows
    )
    return buffer.getvalue()


def report_table(report: ReportPublic) -> tuple[list[str], list[list[Any]]]:
    """The report's figures as columns and rows (retention: one row per cohort and week)."""
    results = report.results
    if report.report == ReportKind.RETENTION:
        rows = [
            [cohort.cohort, cohort.users, week, active, cohort.shares[week]]
            for cohort in results
            if isinstance(cohort, RetentionCohort)
            for week, active in enumerate(cohort.active)
        ]
        return ["cohort", "users", "week", "active", "share"], rows
    model: type[BaseModel] = _ROW_MODELS[report.report]
    columns = list(model.model_fields)
    return columns, [[getattr(row, column) for column in columns] for row in results]


def report_csv(report: ReportPublic) -> Iterator[str]:
    columns, rows = report_table(report)
    yield csv_text([columns])
    yield csv_text(rows)


def report_json(report: ReportPublic) -> Iterator[str]:
    yield report.model_dump_json()


async def activities_csv(
    pool: AsyncConnectionPool[Conn], filters: ActivityFilters, values: dict[str, Any]
) -> AsyncIterator[str]:
    yield csv_text([COLUMNS])
    async with pool.connection() as connection:
        async for batch in queries.feed(connection, filters, values):
            yield csv_text([getattr(row, column) for column in COLUMNS] for row in batch)


def _activity_json(row: ActivityRecord) -> str:
    return json.dumps(
        {column: _text(getattr(row, column)) or None for column in COLUMNS}
        | {"properties": row.properties},
        ensure_ascii=False,
    )


async def activities_json(
    pool: AsyncConnectionPool[Conn], filters: ActivityFilters, values: dict[str, Any]
) -> AsyncIterator[str]:
    """A JSON array, one activity at a time."""
    separator = "["
    async with pool.connection() as connection:
        async for batch in queries.feed(connection, filters, values):
            yield separator + ",".join(_activity_json(row) for row in batch)
            separator = ","
    yield "[]" if separator == "[" else "]"


def _chart(report: ReportPublic) -> Chart:
    results = report.results
    if report.report == ReportKind.COUNTS:
        rows = [row for row in results if isinstance(row, CountsRow)]
        labels = list(dict.fromkeys(_period_label(row.period, report) for row in rows))
        series: dict[str, list[float]] = {}
        for row in rows:
            series.setdefault(row.event or "events", []).append(row.events)
        if not report.events:
            series["unique users"] = [row.users for row in rows]
        return Chart("line" if len(labels) > 14 else "bar", labels, series, "count")
    if report.report == ReportKind.TOP_EVENTS:
        top = [row for row in results if isinstance(row, TopEventRow)]
        values = {"events": [r.events for r in top], "unique users": [r.users for r in top]}
        return Chart("barh", [row.event for row in top], values, "count")
    if report.report == ReportKind.FUNNEL:
        steps = [row for row in results if isinstance(row, FunnelStep)]
        labels = [f"{row.step}. {row.event}" for row in steps]
        return Chart("bar", labels, {"users": [row.users for row in steps]}, "distinct ids")
    cohorts = [row for row in results if isinstance(row, RetentionCohort)][-8:]
    weeks = max((len(cohort.shares) for cohort in cohorts), default=0)
    lines = {f"{cohort.cohort}": [share * 100 for share in cohort.shares] for cohort in cohorts}
    return Chart("line", [f"week {n}" for n in range(weeks)], lines, "% of the cohort active")


def _period_label(moment: datetime, report: ReportPublic) -> str:
    return f"{moment:%m-%d %H:00}" if report.interval == "hour" else f"{moment:%Y-%m-%d}"


def _notes(scope: Scope, extra: list[str]) -> list[str]:
    whose = "the organisation's events" if scope == Scope.ORGANIZATION else "your own events"
    return [f"Over {whose}", *extra]


async def report_pdf(report: ReportPublic, organization: str, max_rows: int) -> bytes:
    columns, rows = report_table(report)
    extra = [f"Events: {', '.join(report.events)}"] if report.events else []
    if report.project:
        extra.append(f"Project: {report.project}")
    document = Document(
        title=_TITLES[report.report],
        organization=organization,
        since=report.since,
        until=report.until,
        notes=_notes(report.scope, extra),
        chart=_chart(report),
        columns=columns,
        rows=[[_text(value) for value in row] for row in rows[:max_rows]],
        total_rows=len(rows),
    )
    return await _render(document)


async def activities_pdf(
    connection: Conn,
    filters: ActivityFilters,
    values: dict[str, Any],
    organization: str,
    period: Period,
    scope: Scope,
    max_rows: int,
) -> bytes:
    """Activities per day as bars, and the newest `max_rows` as the table."""
    days = await queries.per_day(connection, filters, values)
    newest = await queries.newest(connection, filters, values, max_rows)
    columns = ["occurred_at", "name", "distinct_id", "project_id", "app_id", "properties"]
    document = Document(
        title="Activities",
        organization=organization,
        since=period.since,
        until=period.until,
        notes=_notes(scope, [f"{sum(day.activities for day in days)} activities, newest first"]),
        chart=Chart(
            "bar",
            [f"{day.day}" for day in days],
            {"activities": [day.activities for day in days]},
            "activities per day",
        ),
        columns=columns,
        rows=[[_text(getattr(row, column)) for column in columns] for row in newest],
        total_rows=sum(day.activities for day in days),
    )
    return await _render(document)


async def _render(document: Document) -> bytes:
    async with _PDF_RENDERS:
        return await asyncio.to_thread(render, document)


def activity_values(
    query: ActivityQuery, period: Period, organization_id: uuid.UUID, caller_id: uuid.UUID
) -> dict[str, Any]:
    return {
        "organization": organization_id,
        "since": period.since,
        "until": period.until,
        "project": query.project,
        "app": query.app,
        "user": query.user,
        "name": query.name,
        "caller": caller_id,
    }


def activity_filters(query: ActivityQuery, scope: Scope) -> ActivityFilters:
    return ActivityFilters(
        project=query.project is not None,
        app=query.app is not None,
        user=query.user is not None,
        name=query.name is not None,
        own=scope == Scope.OWN,
    )


def parse_activities(parameters: dict[str, Any]) -> tuple[ActivityQuery, Period]:
    """The feed's filters and period, or 400 naming the bad parameter."""
    try:
        query = ActivityQuery.model_validate(parameters)
        return query, bounded_period(query.since, query.until, datetime.now(UTC), None)
    except ValidationError as error:
        raise analytics.validation_error(error) from None
    except OutOfBounds as error:
        raise ApiError(VALIDATION, {error.parameter: error.problem}) from None
