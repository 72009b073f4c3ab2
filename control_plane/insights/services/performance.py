"""Seed 000's "Métriques en Temps Réel", computed from the samples the metrics job stored
(queries/metric_samples.py): counters as their increases (today, or the last minutes),
gauges as their last value. MEMBER and above read them (INSIGHTS_READ); a CLIENT has no
usage of their own here, and gets 403. The control plane's own entry is for those with
INSIGHTS_MANAGE (ADMIN, OWNER)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime, time, timedelta

from control_plane.db import Conn
from control_plane.foundation.permissions import Permission, allowed, authorize
from control_plane.insights.models.performance import (
    ApiRequests,
    DatabaseMetrics,
    HealthChecks,
    Metrics,
    PerformancePublic,
    StorageMetrics,
)
from control_plane.insights.queries import metric_samples
from control_plane.insights.queries.metric_samples import Increase, Latest
from control_plane.insights.queries.performance import Entry

COUNTERS = [
    "requests",
    "errors",
    "request_seconds",
    "timed_requests",
    "query_seconds",
    "queries",
    "slow_queries",
]
GAUGES = ["up", "database_up", "connections", "records", "storage_bytes", "workers_alive"]
RECENT = timedelta(minutes=5)
GROWTH_WINDOW = timedelta(days=7)
GROWTH_AT_LEAST = timedelta(hours=1)
MEGABYTE = 1024 * 1024

Key = tuple[uuid.UUID | None, str | None]


async def may_see_platform(
    connection: Conn, user_id: uuid.UUID, organization_id: uuid.UUID
) -> bool:
    """Whether the caller reads the organisation's performance (403/404 otherwise), and
    the control plane's too."""
    role = await authorize(connection, user_id, organization_id, Permission.INSIGHTS_READ)
    return allowed(role, Permission.INSIGHTS_MANAGE)


def _ratio(part: float | None, whole: float | None, scale: float = 1.0) -> float | None:
    return round(part / whole * scale, 2) if part is not None and whole else None


def _whole(value: float | None) -> int | None:
    return None if value is None else int(round(value))


class _Series:
    """The rows of the queries, by entry."""

    def __init__(
        self,
        today: list[Increase],
        recent: list[Increase],
        newest: list[Latest],
        oldest: list[Latest],
    ) -> None:
        self.today = self._by_key(today)
        self.recent = self._by_key(recent)
        self.newest = self._by_key(newest)
        self.oldest = self._by_key(oldest)

    @staticmethod
    def _by_key(rows: Iterable[Increase | Latest]) -> dict[Key, dict[str, Increase | Latest]]:
        found: dict[Key, dict[str, Increase | Latest]] = defaultdict(dict)
        for row in rows:
            found[(row.app_id, row.environment)][row.metric] = row
        return found

    def increase(self, key: Key, metric: str) -> float | None:
        row = self.today[key].get(metric)
        return row.increase if isinstance(row, Increase) else None

    def last(self, key: Key, metric: str) -> float | None:
        row = self.newest[key].get(metric)
        return row.value if isinstance(row, Latest) else None

    def per_minute(self, key: Key) -> float | None:
        row = self.recent[key].get("requests")
        if not isinstance(row, Increase) or not row.seconds:
            return None
        return round(row.increase / row.seconds * 60, 2)

    def growth_per_day(self, key: Key) -> float | None:
        first, last = self.oldest[key].get("storage_bytes"), self.newest[key].get("storage_bytes")
        if not isinstance(first, Latest) or not isinstance(last, Latest):
            return None
        span = last.at - first.at
        if span < GROWTH_AT_LEAST:
            return None
        return round((last.value - first.value) / MEGABYTE / (span / timedelta(days=1)), 3)

    def last_at(self, key: Key, metric: str) -> datetime | None:
        row = self.newest[key].get(metric)
        return row.at if isinstance(row, Latest) else None

    def collected_at(self, key: Key) -> datetime | None:
        return self.last_at(key, "up")


def _health(series: _Series, key: Key, platform: bool) -> HealthChecks:
    up, database_up = series.last(key, "up"), series.last(key, "database_up")
    if series.collected_at(key) != series.last_at(key, "database_up"):
        database_up = None  # the last collection did not hear from the app
    workers = series.last(key, "workers_alive")
    return HealthChecks(
        api=None if up is None else "healthy" if up else "unreachable",
        database=None if database_up is None else "healthy" if database_up else "unhealthy",
        background_tasks=(
            None if not platform or workers is None else "healthy" if workers else "unhealthy"
        ),
    )


def _entry(series: _Series, entry: Entry) -> PerformancePublic:
    key = (entry.app_id, entry.environment)
    requests, timed = series.increase(key, "requests"), series.increase(key, "timed_requests")
    queries = series.increase(key, "queries")
    storage = series.last(key, "storage_bytes")
    return PerformancePublic(
        project_id=entry.project_id,
        app_id=entry.app_id,
        name=entry.name,
        environment=entry.environment,
        metrics=Metrics(
            api_requests=ApiRequests(
                total_today=_whole(requests),
                requests_per_minute=series.per_minute(key),
                average_response_time_ms=_ratio(
                    series.increase(key, "request_seconds"), timed, 1000
                ),
                error_rate=_ratio(series.increase(key, "errors"), requests, 100),
            ),
            database=DatabaseMetrics(
                connections_active=_whole(series.last(key, "connections")),
                query_time_avg_ms=_ratio(series.increase(key, "query_seconds"), queries, 1000),
                slow_queries_count=_whole(series.increase(key, "slow_queries")),
            ),
            storage=StorageMetrics(
                total_records=_whole(series.last(key, "records")),
                storage_used_mb=None if storage is None else round(storage / MEGABYTE, 2),
                growth_rate_mb_per_day=series.growth_per_day(key),
            ),
        ),
        health_checks=_health(series, key, entry.app_id is None),
        collected_at=series.collected_at(key),
    )


async def of_entries(connection: Conn, entries: list[Entry]) -> list[PerformancePublic]:
    """The performance object of each entry (an app in an environment, or the platform)."""
    apps = sorted({entry.app_id for entry in entries if entry.app_id is not None})
    platform = any(entry.app_id is None for entry in entries)
    now = datetime.now(UTC)
    midnight = datetime.combine(now.date(), time(), UTC)
    series = _Series(
        await metric_samples.increases(connection, apps, platform, COUNTERS, midnight, now),
        await metric_samples.increases(connection, apps, platform, ["requests"], now - RECENT, now),
        await metric_samples.newest(connection, apps, platform, GAUGES, now - timedelta(days=1)),
        await metric_samples.oldest(
            connection, apps, platform, ["storage_bytes"], now - GROWTH_WINDOW
        ),
    )
    return [_entry(series, entry) for entry in entries]
