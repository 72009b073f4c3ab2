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
    delete,
    export,
    get,
    model,
    page_of,
    patch,
    post,
)
from nocode_client.models import (
    Accepted,
    Activity,
    Dashboard,
    Export,
    Page,
    Performance,
    Report,
    Series,
    SystemMetrics,
)

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
    unique_users: bool | None = None,
) -> Call[Report]:
    """A report over events: `counts` (per `interval`), `top_events` (their unique users
    with `unique_users=True`, slower), `funnel` (over `steps`) or `retention`."""
    parameters = report_parameters(
        organization=organization,
        report=report,
        interval=interval,
        event=event,
        project=project,
        since=since,
        until=until,
        properties=properties,
        steps=steps,
        window_days=window_days,
        limit=limit,
        unique_users=unique_users,
    )
    return get(f"{BASE}/analytics/", read=model(Report), **parameters)


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


def list_performance(
    organization: Id,
    *,
    project: Id | None = None,
    app: Id | None = None,
    environment: str | None = None,
    page: int | None = None,
    page_size: int | None = None,
) -> Call[Page[Performance]]:
    """Seed 000's real-time metrics of each app of the organisation in each environment
    (and, for ADMIN+ asking for everything, the control plane's)."""
    return get(
        f"{BASE}/performance/",
        read=page_of(Performance),
        organization=organization,
        project=project,
        app=app,
        environment=environment,
        page=page,
        page_size=page_size,
    )


def performance_series(
    metric: str,
    *,
    organization: Id | None = None,
    app: Id | None = None,
    environment: str | None = None,
    interval: str | None = None,
    since: datetime | str | None = None,
    until: datetime | str | None = None,
) -> Call[Series]:
    """One `metric` (`requests`, `errors`, `response_time_ms`, `records`...) of an app
    over time, per `interval` (`minute`, `hour`, `day`); without `app`, the control
    plane's."""
    return get(
        f"{BASE}/performance/series/",
        read=model(Series),
        metric=metric,
        organization=organization,
        app=app,
        environment=environment,
        interval=interval,
        since=since,
        until=until,
    )


def system_metrics(organization: Id) -> Call[SystemMetrics]:
    """The platform's resources and health (ADMIN+)."""
    return get(f"{BASE}/system-metrics/", read=model(SystemMetrics), organization=organization)


def export_data(
    organization: Id, format: str = "csv", source: str = "analytics", **parameters: Any
) -> Call[Export]:
    """A report (`source="analytics"`, with the parameters of `analytics`) or a range of
    activities (`source="activities"`, with the feed's filters) as a `csv`, `json` or
    `pdf` file."""
    query = report_parameters(organization=organization, format=format, source=source)
    return get(f"{BASE}/exports/", read=export, **query, **report_parameters(**parameters))


def list_dashboards(
    *, organization: Id | None = None, page: int | None = None, page_size: int | None = None
) -> Call[Page[Dashboard]]:
    """The dashboards of the caller's organisations, newest first (without figures)."""
    return get(
        f"{BASE}/dashboards/",
        read=page_of(Dashboard),
        organization=organization,
        page=page,
        page_size=page_size,
    )


def create_dashboard(body: Body) -> Call[Dashboard]:
    """`{"organization_id", "name", "description"?, "reports": [{"title", "query"}]}`,
    each query with the parameters of `analytics` (but `organization`)."""
    return post(f"{BASE}/dashboards/", read=model(Dashboard), body=body)


def get_dashboard(dashboard_id: Id) -> Call[Dashboard]:
    """The dashboard with each report's current figures (`result`)."""
    return get(f"{BASE}/dashboards/{{}}/", dashboard_id, read=model(Dashboard))


def update_dashboard(dashboard_id: Id, body: Body) -> Call[Dashboard]:
    """The keys given change (`reports` replaces them all)."""
    return patch(f"{BASE}/dashboards/{{}}/", dashboard_id, read=model(Dashboard), body=body)


def delete_dashboard(dashboard_id: Id) -> Call[None]:
    return delete(f"{BASE}/dashboards/{{}}/", dashboard_id)
