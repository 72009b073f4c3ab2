"""Bodies of the activity feed (docs/insights.md, "Activities")."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from control_plane.foundation.models import Body
from control_plane.insights.models.track import EventName, PropertiesJson


class ActivityCreate(Body):
    organization_id: uuid.UUID
    name: EventName
    project_id: uuid.UUID | None = None
    app_id: uuid.UUID | None = None
    properties: PropertiesJson = "{}"
    timestamp: datetime | None = None


class ActivityPublic(BaseModel):
    id: int
    organization_id: uuid.UUID
    project_id: uuid.UUID | None
    app_id: uuid.UUID | None
    name: str
    source: str
    actor: uuid.UUID | None  # the user who did it; None for the platform itself
    distinct_id: str
    properties: dict[str, Any]
    occurred_at: datetime
