"""The apps' performance (docs/insights.md, "Performance"): `GET /performance/`, seed
000's real-time metrics of each deployed app in each environment of the organisation (and
the control plane's own, for ADMIN and OWNER), from the samples the metrics job gathers
every minute; `GET /performance/series/` for charts. MEMBER and above (a CLIENT: 403)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request

from control_plane.foundation.api.deps import Caller, Connection, Pagination
from control_plane.insights.models.performance import (
    Interval,
    PerformancePublic,
    SeriesMetric,
    SeriesPublic,
)
from control_plane.insights.queries.performance import ENTRIES, PLATFORM_NAME
from control_plane.insights.services import performance, performance_series
from control_plane.pagination import Page, fetch_page
from control_plane.runtime.models.environments import Environment

router = APIRouter(prefix="/performance", tags=["insights performance"])


@router.get("/")
async def list_performance(
    organization: uuid.UUID,
    caller: Caller,
    connection: Connection,
    request: Request,
    pagination: Pagination,
    project: uuid.UUID | None = None,
    app: uuid.UUID | None = None,
    environment: Environment | None = None,
) -> Page[PerformancePublic]:
    platform = await performance.may_see_platform(connection, caller.id, organization)
    values = {
        "organization": organization,
        "project": project,
        "app": app,
        "environment": environment,
        "platform": platform and project is None and app is None and environment is None,
        "platform_name": PLATFORM_NAME,
    }
    entries = await fetch_page(connection, request, pagination, ENTRIES, values)
    results = await performance.of_entries(connection, entries.results)
    return Page(count=entries.count, next=entries.next, previous=entries.previous, results=results)


@router.get("/series/")
async def performance_series_of(
    caller: Caller,
    connection: Connection,
    metric: SeriesMetric,
    organization: uuid.UUID | None = None,
    app: Annotated[uuid.UUID | None, Query(description="None: the control plane's")] = None,
    environment: Environment = Environment.PRODUCTION,
    interval: Interval = Interval.HOUR,
    since: datetime | None = None,
    until: datetime | None = None,
) -> SeriesPublic:
    await performance_series.authorized(connection, caller.id, organization, app)
    chosen = (app, environment.value) if app is not None else None
    return await performance_series.series(connection, chosen, metric, interval, since, until)
