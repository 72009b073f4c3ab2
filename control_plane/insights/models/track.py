"""Bodies of POST /track/ and /track/batch/ (docs/insights.md, "Tracking").

An event's properties are checked once, as they will be stored: serialised to JSON text
(which is what the writer copies into PostgreSQL), at most PROPERTIES_MAX_BYTES, nested at
most PROPERTIES_MAX_DEPTH deep, and without what PostgreSQL's jsonb refuses (a NUL
character, NaN or Infinity, a lone surrogate). An event that passes cannot fail the flush
it shares with other requests' events."""

from __future__ import annotations

import json
import math
import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field, PlainValidator, StringConstraints, WithJsonSchema

from control_plane.foundation.models import Body, OneLine

PROPERTIES_MAX_BYTES = 8192
PROPERTIES_MAX_DEPTH = 8
BATCH_MAX_EVENTS = 1000

EventName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), OneLine
]
DistinctId = Annotated[str, StringConstraints(min_length=1, max_length=200), OneLine]


def _depth(value: Any) -> int:
    """How deep `value` nests; raises on what PostgreSQL's jsonb cannot hold."""
    if isinstance(value, dict):
        if any("\x00" in key for key in value):
            raise ValueError("must not contain a NUL character")
        return 1 + max((_depth(item) for item in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(item) for item in value), default=0)
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("numbers must be finite (no NaN or Infinity)")
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("must not contain a NUL character")
    return 0


def _storable(properties: Any) -> str:
    """The properties as the JSON text stored in `insights_events.properties`."""
    if not isinstance(properties, dict):
        raise ValueError("must be a JSON object")
    if _depth(properties) > PROPERTIES_MAX_DEPTH:
        raise ValueError(f"must be nested at most {PROPERTIES_MAX_DEPTH} levels deep")
    text = json.dumps(properties, ensure_ascii=False, separators=(",", ":"))
    try:
        size = len(text.encode())
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode (no lone surrogate)") from None
    if size > PROPERTIES_MAX_BYTES:
        raise ValueError(f"must be at most {PROPERTIES_MAX_BYTES} bytes as JSON ({size})")
    return text


# Read as a JSON object, kept as its text.
PropertiesJson = Annotated[
    str,
    PlainValidator(_storable),
    WithJsonSchema({"type": "object", "additionalProperties": True}),
]


class TrackedEvent(Body):
    """One event. Without `timestamp`, the time it is received; without `distinct_id`,
    the caller's id. It belongs to `organization_id`, or to that of the project or app."""

    event: EventName
    organization_id: uuid.UUID | None = None
    project_id: uuid.UUID | None = None
    app_id: uuid.UUID | None = None
    distinct_id: DistinctId | None = None
    properties: PropertiesJson = "{}"
    timestamp: datetime | None = None


class TrackBatch(Body):
    events: Annotated[list[TrackedEvent], Field(min_length=1, max_length=BATCH_MAX_EVENTS)]


class Accepted(BaseModel):
    accepted: int
