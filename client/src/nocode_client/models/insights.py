"""Insights' answers (docs/insights.md): tracking, activities, reports, dashboards,
performance, system metrics, exports."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from nocode_client.models.common import ApiModel


class Accepted(ApiModel):
    accepted: int  # events stored


class Activity(ApiModel):
    id: int
    organization_id: UUID
    project_id: UUID | None
    app_id: UUID | None
    name: str  # project.create, session.login, deployment.success...
    source: str  # api, audit_log, platform_events, runs, jobs
    actor: UUID | None  # the user, or null for the platform itself
    distinct_id: str
    properties: dict[str, Any]
    occurred_at: datetime


class Report(ApiModel):
    """An analytics report; `results` holds its rows (`counts`: `period`, `event`,
    `events`, `users`; `top_events`; `funnel`: a row per step; `retention`: a row per
    cohort)."""

    report: str  # counts, top_events, funnel, retention
    organization_id: UUID
    scope: str  # organization, or own (a CLIENT's events only)
    since: datetime
    until: datetime
    interval: str | None
    events: list[str]
    project: UUID | None
    properties: dict[str, Any]
    source: str  # rollups, events
    results: list[dict[str, Any]]


class Dashboard(ApiModel):
    """Saved reports: each of `reports` has a `title`, its `query` and (read one by one)
    its `result`, the report's answer."""

    id: UUID
    organization_id: UUID
    owner_id: UUID | None
    name: str
    description: str
    reports: list[dict[str, Any]]
    created_at: datetime
    updated_at: datetime


class Performance(ApiModel):
    """Seed 000's real-time metrics of one app in one environment (or of the control
    plane itself): `metrics` (`api_requests`, `database`, `storage`) and
    `health_checks`."""

    project_id: UUID | None
    app_id: UUID | None
    name: str
    environment: str | None
    metrics: dict[str, Any]
    health_checks: dict[str, Any]
    collected_at: datetime | None


class Point(ApiModel):
    at: datetime
    value: float | None


class Series(ApiModel):
    """One metric of an app (or of the control plane) over time."""

    app_id: UUID | None
    environment: str | None
    metric: str
    interval: str
    since: datetime
    until: datetime
    results: list[Point]


class SystemMetrics(ApiModel):
    """The platform's resources and health: its machine (`control_plane`), `database`,
    `jobs`, and each deployment target's last reading."""

    organization_id: UUID
    collected_at: datetime
    control_plane: dict[str, Any]
    database: dict[str, Any]
    jobs: dict[str, Any]
    targets: list[dict[str, Any]]


class Export(ApiModel):
    """An exported file: its name (from `Content-Disposition`), type and bytes."""

    filename: str | None
    content_type: str
    content: bytes
