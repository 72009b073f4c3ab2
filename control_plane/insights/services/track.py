"""Tracking (POST /track/ and /track/batch/): the events checked against the retention
period and the clock, then handed to the process's group-commit writer
(services/writer.py), which checks the caller's session and right to track in each
event's organisation and writes them. All or nothing: one bad event refuses the whole
batch."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from control_plane.config import Settings
from control_plane.errors import (
    UNAVAILABLE,
    VALIDATION,
    ApiError,
)
from control_plane.insights.models.track import TrackedEvent
from control_plane.insights.queries.access import Access, Target
from control_plane.insights.queries.events import EVENT, EventRow
from control_plane.insights.services.access import asked
from control_plane.insights.services.writer import EventWriter, RowMaker, WriteFailed
from control_plane.security.tokens import Claims

# How far ahead of the server's clock an event may be dated (a client's clock drift).
MAX_AHEAD = timedelta(hours=1)
RETRY_AFTER_SECONDS = "1"


def targets_of(events: Sequence[TrackedEvent], paths: Sequence[str]) -> list[Target]:
    """What each event belongs to (one object per distinct target: a batch's thousand
    events are made and hashed as a handful); 400 naming the first that names nothing."""
    known: dict[tuple[uuid.UUID | None, ...], Target] = {}
    targets = []
    for event, path in zip(events, paths, strict=True):
        key = (event.organization_id, event.project_id, event.app_id)
        target = known.get(key)
        if target is None:
            if key == (None, None, None):
                problem = "give organization_id, project_id or app_id"
                raise ApiError(VALIDATION, {f"{path}organization_id": problem})
            target = known[key] = Target(*key)
        targets.append(target)
    return targets


def occurred_at(
    timestamp: datetime | None, now: datetime, settings: Settings, path: str
) -> datetime:
    """The event's time in UTC (a time without offset is UTC): within the retention
    period and at most MAX_AHEAD ahead; 400 naming `path` otherwise."""
    if timestamp is None:
        return now
    at = timestamp.replace(tzinfo=UTC) if timestamp.tzinfo is None else timestamp.astimezone(UTC)
    oldest = now - timedelta(days=settings.insights_retention_days)
    if at < oldest:
        days = settings.insights_retention_days
        raise ApiError(VALIDATION, {path: f"older than the retention period ({days} days)"})
    if at > now + MAX_AHEAD:
        raise ApiError(VALIDATION, {path: "more than an hour ahead of the server's clock"})
    return at


def _rows(
    events: Sequence[TrackedEvent],
    times: Sequence[datetime],
    targets: Sequence[Target],
    user_id: uuid.UUID,
) -> RowMaker:
    """What makes the events' rows once their targets are resolved."""

    def make(found: dict[Target, Access]) -> list[EventRow]:
        rows = []
        for event, at, target in zip(events, times, targets, strict=True):
            granted = found[target]
            assert granted.organization_id is not None  # judge() refused the others
            rows.append(
                EventRow(
                    organization_id=granted.organization_id,
                    project_id=granted.project_id,
                    app_id=event.app_id,
                    kind=EVENT,
                    name=event.event,
                    distinct_id=event.distinct_id or str(user_id),
                    user_id=user_id,
                    properties=event.properties,
                    occurred_at=at,
                    source=None,
                )
            )
        return rows

    return make


async def track(
    writer: EventWriter,
    settings: Settings,
    claims: Claims,
    events: Sequence[TrackedEvent],
    *,
    batch: bool,
) -> int:
    """Store `events` for the caller; how many. `batch` names errors `events[i].key`.
    The writer checks the caller's access with the other requests of its flush."""
    now = datetime.now(UTC)
    paths = [f"events[{index}]." for index in range(len(events))] if batch else [""]
    times = [
        occurred_at(event.timestamp, now, settings, f"{path}timestamp")
        for event, path in zip(events, paths, strict=True)
    ]
    targets = targets_of(events, paths)
    make_rows = _rows(events, times, targets, claims.user_id)
    try:
        await writer.write(asked(claims, targets), make_rows, len(events))
    except WriteFailed:
        retry = {"Retry-After": RETRY_AFTER_SECONDS}
        raise ApiError(UNAVAILABLE, {"events": "not recorded, send them again"}, retry) from None
    return len(events)
