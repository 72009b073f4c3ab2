"""The series of `/performance/series/`: one metric of one app in one environment (or of
the control plane), per minute, hour or day, every period of the range present (`null`
where nothing was collected)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from control_plane.db import Conn
from control_plane.errors import VALIDATION, ApiError
from control_plane.foundation.permissions import Permission, authorize, authorize_object
from control_plane.insights.models.performance import Interval, Point, SeriesMetric, SeriesPublic
from control_plane.insights.queries import metric_samples, performance
from control_plane.insights.queries.metric_samples import Bucket

STEPS = {
    Interval.MINUTE: timedelta(minutes=1),
    Interval.HOUR: timedelta(hours=1),
    Interval.DAY: timedelta(days=1),
}
MAX_POINTS = 1500
DEFAULT_RANGE = timedelta(days=1)
EARLIEST, LATEST = datetime(2000, 1, 1), datetime(2999, 12, 31)
MEGABYTE = 1024 * 1024
# What each chart reads: a counter's increase over another's (times a scale), or a gauge.
_RATIOS = {
    SeriesMetric.RESPONSE_TIME_MS: ("request_seconds", "timed_requests", 1000.0),
    SeriesMetric.QUERY_TIME_MS: ("query_seconds", "queries", 1000.0),
}
_INCREASES = {
    SeriesMetric.REQUESTS: "requests",
    SeriesMetric.ERRORS: "errors",
    SeriesMetric.SLOW_QUERIES: "slow_queries",
}
_GAUGES = {
    SeriesMetric.CONNECTIONS: ("connections", 1.0),
    SeriesMetric.RECORDS: ("records", 1.0),
    SeriesMetric.STORAGE_MB: ("storage_bytes", 1 / MEGABYTE),
}


def _utc(moment: datetime) -> datetime:
    if not EARLIEST <= moment.replace(tzinfo=None) <= LATEST:
        raise ApiError(VALIDATION, {"since": "since and until must be in the years 2000 to 2999."})
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _stored(metric: SeriesMetric) -> list[str]:
    if metric in _RATIOS:
        return list(_RATIOS[metric][:2])
    if metric in _INCREASES:
        return [_INCREASES[metric]]
    return [_GAUGES[metric][0]]


def _value(metric: SeriesMetric, found: dict[str, Bucket]) -> float | None:
    if metric in _RATIOS:
        part, whole, scale = _RATIOS[metric]
        if part not in found or whole not in found or not found[whole].increase:
            return None
        return round(found[part].increase / found[whole].increase * scale, 3)
    if metric in _INCREASES:
        bucket = found.get(_INCREASES[metric])
        return None if bucket is None else bucket.increase
    name, scale = _GAUGES[metric]
    return None if name not in found else round(found[name].average * scale, 3)


async def authorized(
    connection: Conn,
    user_id: uuid.UUID,
    organization_id: uuid.UUID | None,
    app_id: uuid.UUID | None,
) -> None:
    """An app's series: INSIGHTS_READ in its organisation (a non-member gets the 404 of an
    app that does not exist). The control plane's (no app): INSIGHTS_MANAGE in the
    organisation named."""
    if app_id is not None:
        owner = await performance.app_organization(connection, app_id)
        await authorize_object(
            connection, user_id, owner, Permission.INSIGHTS_READ, {"app": "No such app."}
        )
    elif organization_id is None:
        raise ApiError(VALIDATION, {"organization": "Name the organization, or an app."})
    else:
        await authorize(connection, user_id, organization_id, Permission.INSIGHTS_MANAGE)


async def series(
    connection: Conn,
    app: tuple[uuid.UUID, str] | None,
    metric: SeriesMetric,
    interval: Interval,
    since: datetime | None,
    until: datetime | None,
) -> SeriesPublic:
    """From `since` (a day before `until`) to `until` (now); times without a zone are UTC."""
    step = STEPS[interval]
    until = _utc(until) if until else datetime.now(UTC)
    since = _utc(since) if since else until - DEFAULT_RANGE
    if since >= until:
        raise ApiError(VALIDATION, {"since": "Must be before until."})
    if (until - since) / step > MAX_POINTS:
        raise ApiError(
            VALIDATION, {"interval": f"More than {MAX_POINTS} periods: choose a longer one."}
        )
    rows = await metric_samples.buckets(connection, app, _stored(metric), since, until, step)
    by_period: dict[datetime, dict[str, Bucket]] = {}
    for row in rows:
        by_period.setdefault(row.at, {})[row.metric] = row
    points = []
    at = since
    while at < until:
        points.append(Point(at=at, value=_value(metric, by_period.get(at, {}))))
        at += step
    return SeriesPublic(
        app_id=app[0] if app else None,
        environment=app[1] if app else None,
        metric=metric,
        interval=interval,
        since=since,
        until=until,
        results=points,
    )
