"""Published versions: immutable, numbered MAJOR.MINOR.PATCH from what changed."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel


class ChangePublic(BaseModel):
    """A change since the previous version, as the generator classes it (`nocode diff`)."""

    safety: str
    kind: str
    path: str
    detail: str


class VersionSummary(BaseModel):
    project_id: uuid.UUID
    number: str
    changes: list[ChangePublic]
    published_by: uuid.UUID | None
    created_at: datetime


class VersionPublic(VersionSummary):
    """A version with its spec (a complete generator ProjectSpec, `project.version` its
    number) and its pages, as they were when it was published."""

    spec: dict[str, Any]
    pages: list[dict[str, Any]]
