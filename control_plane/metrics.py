"""The control plane's Prometheus metrics, served at /metrics as a generated app serves
its own: requests counted and timed per route template and status (recorded by
middleware.RequestContext, which times every request already), and what a collector of
the app reads when it is scraped (the job queue, the workers, the database:
insights/services/platform_collector.py).

`nocode serve` gives its server's workers a shared folder, PROMETHEUS_MULTIPROC_DIR
(platform_support/metrics_folder.py), where each writes its counts (prometheus_client's
multiprocess mode): whichever worker answers a scrape reports them all, and the counts of
a worker that died stay in the totals. Under another server, the answering process's own."""

from __future__ import annotations

import os
from typing import Any, Protocol

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope

REQUESTS = Counter(
    "control_plane_http_requests_total", "HTTP requests handled.", ["method", "route", "status"]
)
LATENCY = Histogram(
    "control_plane_http_request_duration_seconds",
    "Time to answer an HTTP request.",
    ["method", "route"],
)


def route_template(scope: Scope) -> str:
    """The request's path with each path parameter's value put back as `{name}`:
    `/api/v1/foundation/organizations/{organization_id}/`, so that ids do not make a series
    each; `unmatched` when no route took it. (The matched route's own `path` is relative to
    the router it was declared on, once routers are included in routers.)"""
    if "endpoint" not in scope:
        return "unmatched"
    path: str = scope["path"]
    values = scope.get("path_params", {})
    for name, value in sorted(values.items(), key=lambda item: -len(str(item[1]))):
        before, found, after = path.rpartition(f"/{value}")
        if found and value != "" and (not after or after.startswith("/")):
            path = f"{before}/{{{name}}}{after}"
    return path


def record_request(scope: Scope, status: int, seconds: float) -> None:
    """Count and time a request under its route's template."""
    route = route_template(scope)
    method = scope["method"]
    REQUESTS.labels(method, route, str(status)).inc()
    LATENCY.labels(method, route).observe(seconds)


def _workers_registry() -> CollectorRegistry:
    """Every worker's metrics in multiprocess mode, else this process's."""
    if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        return REGISTRY
    registry = CollectorRegistry()
    MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return registry


WORKERS = _workers_registry()


class RefreshedCollector(Collector, Protocol):
    """A collector whose figures are read from the database before a scrape."""

    async def refresh(self, pool: AsyncConnectionPool[AsyncConnection[Any]]) -> None: ...


async def metrics_endpoint(request: Request) -> Response:
    platform: RefreshedCollector = request.app.state.platform_metrics
    await platform.refresh(request.app.state.pool)
    body = generate_latest(WORKERS) + generate_latest(platform)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
