"""Studio's answers: projects, their tables and fields (the draft spec), versions."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from nocode_client.models.common import ApiModel


class Project(ApiModel):
    id: UUID
    organization_id: UUID
    name: str
    description: str
    slug: str
    status: str  # draft, published
    latest_version: str | None
    tables_count: int
    created_at: datetime
    updated_at: datetime


class Table(ApiModel):
    """A table of a project's draft: the spec's keys (`display_name`, `fields`, ...) as
    extra fields."""

    id: UUID
    project: UUID
    name: str


class Field(ApiModel):
    """A field of a table: the spec's keys (`field_type`, `validation`, ...) as extra
    fields."""

    id: UUID
    table: UUID
    name: str


class VersionSummary(ApiModel):
    project_id: UUID
    number: str
    changes: list[dict[str, Any]]
    published_by: UUID | None
    created_at: datetime


class Version(VersionSummary):
    spec: dict[str, Any]
    pages: list[dict[str, Any]]
