"""Parameters of `/exports/`: the format, the source, and for activities the feed's
filters (those of GET /activities/). A report's own parameters are `ReportQuery`'s."""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from control_plane.foundation.models import OneLine
from control_plane.insights.models.analytics import Moment


class ExportFormat(StrEnum):
    CSV = "csv"
    JSON = "json"
    PDF = "pdf"


class ExportSource(StrEnum):
    ANALYTICS = "analytics"
    ACTIVITIES = "activities"


MEDIA_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.JSON: "application/json",
    ExportFormat.PDF: "application/pdf",
}


class ActivityQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    project: uuid.UUID | None = None
    app: uuid.UUID | None = None
    user: uuid.UUID | None = None
    name: (
        Annotated[
            str, StringConstraints(min_length=1, max_length=200, pattern=r"^[^\x00]*$"), OneLine
        ]
        | None
    ) = None
    since: Moment | None = None
    until: Moment | None = None
