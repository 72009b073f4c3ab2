"""Insights (`/api/v1/insights/`, docs/insights.md): tracking, activities, reports,
performance, system metrics, exports."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from nocode_client._call import (
    Body,
    Call,
    Id,
    as_json,
    export,
    get,
    model,
    page_of,
    post,
)
from nocode_client.models import Accepted, Activity, Export, Page, Report

BASE = "/api/v1/insights"


def track(
    event: str,
    *,
    organization_id: Id | None = None,
    project_id: Id | None = None,
    app_id: Id | None = None,
    distinct_id: str | None = None,
    properties: Mapping[str, Any] | None = None,
    timestamp: datetime | str | None = None,
) -> Call[Accepted]:
    """One event; stored once acknowledged."""
    body = event_body(
        event,
        organization_id=organization_id,
        project_id=project_id,
        app_id=app_id,
        distinct_id=distinct_id,
        properties=properties,
        timestamp=timestamp,
    )
    return post(f"{BASE}/track/", read=model(Accepted), body=body)


def track_batch(events: Sequence[Mapping[str, Any]]) -> Call[Accepted]:
    """Up to 1,000 events (each as `track` takes them: `{"event", ...}`) in one request."""
    body = {"events": [event_body(**event) for event in events]}
    return post(f"{BASE}/track/batch/", read=model(Accepted), body=body)


def event_body(event: str, **optional: Any) -> dict[str, Any]:
    """An event as the API takes it: the keys given a value."""
    return {"event": event} | {key: value for key, value in optional.items() if value is not None}


def list_activities(
    *,
    organization: Id | None = None,
    project: Id | None = None,
    app: Id | None = None,
    user: Id | None = None,
    name: str | None = None,
    since: datetime | str | None = None,
    until: datetime | str | None = None,
    page: int | None = None,
    page_size: int | None = None,
) -> Call[Page[Activity]]:
    """The activity feed, newest first (a CLIENT sees their own)."""
    return get(
        f"{BASE}/activities/",
        read=page_of(Activity),
        organization=organization,
        project=project,
        app=app,
        user=user,
        name=name,
        since=since,
        until=until,
        page=page,
        page_size=page_size,
    )


def create_activity(body: Body) -> Call[Activity]:
    """`{"organization_id", "name", "project_id"?, "app_id"?, "properties"?, "timestamp"?}`."""
    return post(f"{BASE}/activities/", read=model(Activity), body=body)


def analytics(
    organization: Id,
    report: str = "counts",
    *,
    interval: str | None = None,
    event: Sequence[str] | str | None = None,
    project: Id | None = None,
    since: datetime | str | None = None,
    until: datetime | str | None = None,
    properties: Mapping[str, Any] | None = None,
    steps: Sequence[str] | None = None,
    window_days: int | None = None,
    limit: int | None = None,
) -> Call[Report]:
    """A report over events: `counts` (per `interval`), `top_events`, `funnel` (over
    `steps`) or `retention`."""
    return get(f"{BASE}/analytics/", read=model(Report), **report_parameters(**locals()))


def report_parameters(**given: Any) -> dict[str, Any]:
    """A report's query parameters as the API reads them: `event` repeated, `steps` joined
    by commas, `properties` as JSON."""
    parameters = dict(given)
    if isinstance(parameters.get("event"), str):
        parameters["event"] = [parameters["event"]]
    if parameters.get("steps") is not None:
        parameters["steps"] = ",".join(parameters["steps"])
    if parameters.get("properties") is not None:
        parameters["properties"] = json.dumps(dict(parameters["properties"]))
    return parameters


def performance(
    organization: Id,
    *,
    project: Id | None = None,
    app: Id | None = None,
    environment: str | None = None,
) -> Call[Any]:
    """Seed 000's real-time metrics of each app."""
    return get(
        f"{BASE}/performance/",
        read=as_json,
        organization=organization,
        project=project,
        app=app,
        environment=environment,
    )


def performance_series(organization: Id, **parameters: Any) -> Call[Any]:
    """The apps' metrics as time series (parameters: docs/insights.md)."""
    return get(f"{BASE}/performance/series/", read=as_json, organization=organization, **parameters)


def system_metrics(organization: Id) -> Call[Any]:
    """The platform's resources and health (ADMIN+)."""
    return get(f"{BASE}/system-metrics/", read=as_json, organization=organization)


def export_data(
    organization: Id, format: str = "csv", source: str = "analytics", **parameters: Any
) -> Call[Export]:
    """A report (`source="analytics"`, with the report's parameters) or an activity range
    (`source="activities"`) as a `csv`, `json` or `pdf` file."""
    query = report_parameters(organization=organization, format=format, source=source)
    return get(f"{BASE}/exports/", read=export, **query, **report_parameters(**parameters))


def list_dashboards(
    *, organization: Id | None = None, page: int | None = None, page_size: int | None = None
) -> Call[Any]:
    return get(
        f"{BASE}/dashboards/",
        read=as_json,
        organization=organization,
        page=page,
        page_size=page_size,
    )


def create_dashboard(body: Body) -> Call[Any]:
    return post(f"{BASE}/dashboards/", read=as_json, body=body)


def get_dashboard(dashboard_id: Id) -> Call[Any]:
    return get(f"{BASE}/dashboards/{{}}/", dashboard_id, read=as_json)
