"""Bodies of `/performance/`: seed 000's "Métriques en Temps Réel" per app and environment
(and the control plane's own), and the series of the charts."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel


class ApiRequests(BaseModel):
    total_today: int | None  # since 00:00 UTC
    requests_per_minute: float | None  # over the last 5 minutes
    average_response_time_ms: float | None  # today
    error_rate: float | None  # today, in percent of the requests (5xx answers)


class DatabaseMetrics(BaseModel):
    connections_active: int | None  # open now (every worker's pool)
    query_time_avg_ms: float | None  # today
    slow_queries_count: int | None  # today


class StorageMetrics(BaseModel):
    total_records: int | None
    storage_used_mb: float | None
    growth_rate_mb_per_day: float | None  # over the last 7 days (at least an hour of them)


class Metrics(BaseModel):
    api_requests: ApiRequests
    database: DatabaseMetrics
    cache: None = None  # the generated apps have no cache
    storage: StorageMetrics


class HealthChecks(BaseModel):
    database: str | None  # healthy, unhealthy; None when the app does not answer
    cache: None = None
    api: str | None  # healthy, unreachable; None before the first collection
    background_tasks: str | None  # the control plane's job workers; apps have none


class PerformancePublic(BaseModel):
    project_id: uuid.UUID | None
    app_id: uuid.UUID | None
    name: str
    environment: str | None
    metrics: Metrics
    health_checks: HealthChecks
    collected_at: datetime | None  # the last collection that reached it, or tried to


class SeriesMetric(StrEnum):
    REQUESTS = "requests"
    ERRORS = "errors"
    RESPONSE_TIME_MS = "response_time_ms"
    QUERY_TIME_MS = "query_time_ms"
    SLOW_QUERIES = "slow_queries"
    CONNECTIONS = "connections"
    RECORDS = "records"
    STORAGE_MB = "storage_mb"


class Interval(StrEnum):
    MINUTE = "minute"
    HOUR = "hour"
    DAY = "day"


class Point(BaseModel):
    at: datetime
    value: float | None


class SeriesPublic(BaseModel):
    app_id: uuid.UUID | None
    environment: str | None
    metric: SeriesMetric
    interval: Interval
    since: datetime
    until: datetime
    results: list[Point]
