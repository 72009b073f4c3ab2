"""A deployed app's health and performance, read from the app itself: its `/health`, and
its Prometheus `/metrics` (the request counter and latency histogram every generated app
exports: app_http_requests_total, app_http_request_duration_seconds; the database's
statements and figures: app_db_*). The control plane's own /metrics has the same request
metrics under the prefix `control_plane` (control_plane/metrics.py)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
from prometheus_client.parser import text_string_to_metric_families

from control_plane.runtime.models.deployments import HealthStatus, Performance

TIMEOUT_SECONDS = 3.0
# The platform's own calls, and the scrapes: not the app's traffic.
_PROBES = frozenset({"/health", "/metrics"})
# Sums of the samples of /metrics, by the name Insights stores them under: every sample
# of the family, or (for requests) those of the app's traffic only.
_SUMMED = {
    "db_query_duration_seconds_sum": "query_seconds",
    "db_query_duration_seconds_count": "queries",
    "db_slow_queries_total": "slow_queries",
    "db_table_rows": "records",
    "db_size_bytes": "storage_bytes",
    "db_connections": "connections",
    "jobs_queued": "jobs_queued",
    "jobs_oldest_queued_seconds": "jobs_oldest_queued_seconds",
    "workers_alive": "workers_alive",
}


def read_totals(text: str, prefix: str = "app") -> dict[str, float]:
    """The totals of a /metrics text (`requests`, `errors` (5xx), `request_seconds`,
    `timed_requests`, and those of _SUMMED the text has), its metrics named `<prefix>_...`.
    ValueError if it is not Prometheus' text format."""
    totals = dict.fromkeys(("requests", "errors", "request_seconds", "timed_requests"), 0.0)
    requests, duration = f"{prefix}_http_requests_total", f"{prefix}_http_request_duration"
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            name = sample.name
            if name.startswith(f"{prefix}_http_") and sample.labels.get("route") in _PROBES:
                continue
            if name == requests:
                totals["requests"] += sample.value
                if sample.labels.get("status", "").startswith("5"):
                    totals["errors"] += sample.value
            elif name == f"{duration}_seconds_sum":
                totals["request_seconds"] += sample.value
            elif name == f"{duration}_seconds_count":
                totals["timed_requests"] += sample.value
            elif name.startswith(f"{prefix}_") and name[len(prefix) + 1 :] in _SUMMED:
                stored = _SUMMED[name[len(prefix) + 1 :]]
                totals[stored] = totals.get(stored, 0.0) + sample.value
    return totals


def read_metrics(text: str) -> Performance:
    totals = read_totals(text)
    requests, timed = totals["requests"], totals["timed_requests"]
    return Performance(
        requests=int(requests),
        response_time_ms=round(totals["request_seconds"] / timed * 1000, 2) if timed else None,
        error_rate=round(totals["errors"] / requests * 100, 2) if requests else None,
    )


UNKNOWN_PERFORMANCE = Performance(requests=None, response_time_ms=None, error_rate=None)


def not_deployed() -> HealthStatus:
    return HealthStatus(
        overall="not_deployed", database=None, api="not_responding", last_check=datetime.now(UTC)
    )


def _database_of(response: httpx.Response) -> str | None:
    """What /health says of the database: `{"database": ...}` when healthy, in the error
    envelope's details when not."""
    try:
        body = response.json()
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    details = body.get("details")
    database = (details if isinstance(details, dict) else body).get("database")
    return str(database) if database is not None else None


def unreachable() -> HealthStatus:
    return HealthStatus(
        overall="unreachable", database=None, api="not_responding", last_check=datetime.now(UTC)
    )


async def _health(client: httpx.AsyncClient) -> HealthStatus:
    checked = datetime.now(UTC)
    try:
        response = await client.get("/health")
    except httpx.HTTPError:
        return unreachable()
    database = _database_of(response)
    overall = "healthy" if response.status_code == 200 else "unhealthy"
    return HealthStatus(overall=overall, database=database, api="responding", last_check=checked)


async def _metrics_text(client: httpx.AsyncClient) -> str | None:
    try:
        response = await client.get("/metrics")
        response.raise_for_status()
    except httpx.HTTPError:
        return None
    return response.text


@dataclass(frozen=True)
class Scrape:
    health: HealthStatus
    metrics: str | None  # the /metrics text, None if it could not be read


async def scrape(base_url: str) -> Scrape:
    """The app at `base_url`: /health and /metrics asked at once, each within
    TIMEOUT_SECONDS."""
    async with httpx.AsyncClient(base_url=base_url, timeout=TIMEOUT_SECONDS) as client:
        health, text = await asyncio.gather(_health(client), _metrics_text(client))
    return Scrape(health, text)


async def probe(base_url: str) -> tuple[HealthStatus, Performance]:
    """The app's health, and its performance since it started."""
    found = await scrape(base_url)
    try:
        performance = read_metrics(found.metrics) if found.metrics else UNKNOWN_PERFORMANCE
    except ValueError:
        performance = UNKNOWN_PERFORMANCE
    return found.health, performance
