"""A deployed app's health and performance, read from the app itself: its `/health`, and
its Prometheus `/metrics` (the request counter and latency histogram every generated app
exports: app_http_requests_total, app_http_request_duration_seconds)."""

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


@dataclass
class _Totals:
    requests: float = 0
    errors: float = 0
    seconds: float = 0
    timed: float = 0

    def performance(self) -> Performance:
        return Performance(
            requests=int(self.requests),
            response_time_ms=round(self.seconds / self.timed * 1000, 2) if self.timed else None,
            error_rate=round(self.errors / self.requests * 100, 2) if self.requests else None,
        )


def read_metrics(text: str) -> Performance:
    totals = _Totals()
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.labels.get("route") in _PROBES:
                continue
            if sample.name == "app_http_requests_total":
                totals.requests += sample.value
                totals.errors += (
                    sample.value if sample.labels.get("status", "").startswith("5") else 0
                )
            elif sample.name == "app_http_request_duration_seconds_sum":
                totals.seconds += sample.value
            elif sample.name == "app_http_request_duration_seconds_count":
                totals.timed += sample.value
    return totals.performance()


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


async def _health(client: httpx.AsyncClient) -> HealthStatus:
    checked = datetime.now(UTC)
    try:
        response = await client.get("/health")
    except httpx.HTTPError:
        return HealthStatus(
            overall="unreachable", database=None, api="not_responding", last_check=checked
        )
    database = _database_of(response)
    overall = "healthy" if response.status_code == 200 else "unhealthy"
    return HealthStatus(overall=overall, database=database, api="responding", last_check=checked)


async def _performance(client: httpx.AsyncClient) -> Performance:
    try:
        response = await client.get("/metrics")
        response.raise_for_status()
        return read_metrics(response.text)
    except (httpx.HTTPError, ValueError):
        return UNKNOWN_PERFORMANCE


async def probe(base_url: str) -> tuple[HealthStatus, Performance]:
    """The app at `base_url`: both read at once, each within TIMEOUT_SECONDS."""
    async with httpx.AsyncClient(base_url=base_url, timeout=TIMEOUT_SECONDS) as client:
        return await asyncio.gather(_health(client), _performance(client))
