"""Bodies of `/dashboards/`: saved reports of an organisation, each a title and the
parameters of GET /analytics/ (checked as that endpoint checks them, services/
dashboards.py)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints

from control_plane.foundation.models import Body, OneLine
from control_plane.insights.models.analytics import ReportPublic

MAX_REPORTS = 20

Title = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), OneLine
]
Description = Annotated[str, Field(max_length=2000)]


class DashboardReport(Body):
    title: Title
    query: dict[str, Any]


Reports = Annotated[list[DashboardReport], Field(max_length=MAX_REPORTS)]


class DashboardCreate(Body):
    organization_id: uuid.UUID
    name: Title
    description: Description = ""
    reports: Reports = []


class DashboardUpdate(Body):
    """PUT and PATCH: the keys given are changed."""

    name: Title | None = None
    description: Description | None = None
    reports: Reports | None = None


class DashboardReportPublic(BaseModel):
    title: str
    query: dict[str, Any]
    # The report's current figures (GET of one dashboard; not in lists).
    result: ReportPublic | None = None
    # Why there are none: a saved period that no longer holds (more than 400 days now).
    error: dict[str, str] | None = None


class DashboardPublic(BaseModel):
    id: uuid.UUID
    organization_id: uuid.UUID
    owner_id: uuid.UUID | None
    name: str
    description: str
    reports: list[DashboardReportPublic]
    created_at: datetime
    updated_at: datetime
