"""Bodies of POST /track/ and /track/batch/ (docs/insights.md, "Tracking").

An event's properties are checked once, as they will be stored: serialised to JSON text
(which is what the writer copies into PostgreSQL), at most PROPERTIES_MAX_BYTES, nested at
most PROPERTIES_MAX_DEPTH deep, and without what PostgreSQL's jsonb refuses (a NUL
character, NaN or Infinity, a lone surrogate). An event that passes cannot fail the flush
it shares with other requests' events."""

from __future__ import annotations

import math
import re
import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field, PlainValidator, StringConstraints, WithJsonSchema
from pydantic_core import PydanticSerializationError, to_json

from control_plane.foundation.models import Body, OneLine

PROPERTIES_MAX_BYTES = 8192
PROPERTIES_MAX_DEPTH = 8
BATCH_MAX_EVENTS = 1000

EventName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), OneLine
]
DistinctId = Annotated[str, StringConstraints(min_length=1, max_length=200), OneLine]


# A NUL character as the JSON text escapes it: `\u0000` after an even run of backslashes
# (an odd one would make it the text "\u0000" of a string, which jsonb stores).
_ESCAPED_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


def _depth(value: dict[str, Any] | list[Any]) -> int:
    """How deep `value` nests; raises on a number jsonb cannot hold (NaN, Infinity)."""
    deepest = 0
    for item in value.values() if isinstance(value, dict) else value:
        if isinstance(item, dict | list):
            deepest = max(deepest, _depth(item))
        elif isinstance(item, float) and not math.isfinite(item):
            raise ValueError("numbers must be finite (no NaN or Infinity)")
    return deepest + 1


def _storable(properties: Any) -> str:
    """The properties as the JSON text stored in `insights_events.properties` (pydantic's
    serialiser: 5 times as fast as the json module's, which was a third of a batch's CPU)."""
    if not isinstance(properties, dict):
        raise ValueError("must be a JSON object")
    if _depth(properties) > PROPERTIES_MAX_DEPTH:
        raise ValueError(f"must be nested at most {PROPERTIES_MAX_DEPTH} levels deep")
    try:
        text = to_json(properties)
    except PydanticSerializationError:
        raise ValueError("must be valid Unicode (no lone surrogate)") from None
    if len(text) > PROPERTIES_MAX_BYTES:
        raise ValueError(f"must be at most {PROPERTIES_MAX_BYTES} bytes as JSON ({len(text)})")
    if _ESCAPED_NUL.search(text):
        raise ValueError("must not contain a NUL character")
    return text.decode()


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
