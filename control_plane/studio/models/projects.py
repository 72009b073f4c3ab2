"""Projects: a name, a description, the organisation they belong to, their status."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from control_plane.foundation.models import Body, OneLine

ProjectName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), OneLine
]
Description = Annotated[str, Field(max_length=2000)]


class ProjectStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class ProjectCreate(Body):
    name: ProjectName
    organization_id: uuid.UUID
    description: Description = ""


class ProjectReplace(Body):
    name: ProjectName
    description: Description = ""


class ProjectUpdate(Body):
    name: ProjectName | None = None
    description: Description | None = None


class ProjectPublic(BaseModel):
    id: uuid.UUID
    organization_id: uuid.UUID
    name: str
    description: str
    slug: str
    status: ProjectStatus
    latest_version: str | None
    tables_count: int
    created_at: datetime
    updated_at: datetime
