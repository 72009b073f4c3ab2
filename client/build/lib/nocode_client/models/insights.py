"""Insights' answers (docs/insights.md): tracking, activities, reports, performance,
system metrics, exports."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from nocode_client.models.common import ApiModel


class Accepted(ApiModel):
    accepted: int  # events stored


class Activity(ApiModel):
    id: Any
    organization_id: UUID
    project_id: UUID | None
    app_id: UUID | None
    name: str
    source: str
    actor: UUID | None  # the user, or null for the system
    distinct_id: str | None
    properties: dict[str, Any]
    occurred_at: datetime


class Report(ApiModel):
    """An analytics report: `counts`, `top_events`, `funnel` or `retention`; the report's
    own keys (`interval`, `steps`, ...) as extra fields."""

    report: str
    organization_id: UUID
    since: datetime
    until: datetime
    results: list[dict[str, Any]]


class Metrics(ApiModel):
    """Performance or system metrics: the keys of docs/insights.md, as extra fields."""


class Export(ApiModel):
    """An exported file: its name (from `Content-Disposition`), type and bytes."""

    filename: str | None
    content_type: str
    content: bytes
