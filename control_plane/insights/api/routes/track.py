"""Event tracking (docs/insights.md, "Tracking"): 202 once the events and their rollups
are committed."""

from fastapi import APIRouter, status

from control_plane.foundation.api.deps import AppSettings
from control_plane.insights.api.deps import TokenClaims, Writer
from control_plane.insights.models.track import Accepted, TrackBatch, TrackedEvent
from control_plane.insights.services import track

router = APIRouter(prefix="/track", tags=["insights track"])

_ANSWERS: dict[int | str, dict[str, str]] = {
    503: {"description": "Not recorded (the database failed): send them again"}
}


@router.post("/", status_code=status.HTTP_202_ACCEPTED, responses=_ANSWERS)
async def track_event(
    body: TrackedEvent, claims: TokenClaims, settings: AppSettings, writer: Writer
) -> Accepted:
    accepted = await track.track(writer, settings, claims, [body], batch=False)
    return Accepted(accepted=accepted)


@router.post("/batch/", status_code=status.HTTP_202_ACCEPTED, responses=_ANSWERS)
async def track_batch(
    body: TrackBatch, claims: TokenClaims, settings: AppSettings, writer: Writer
) -> Accepted:
    accepted = await track.track(writer, settings, claims, body.events, batch=True)
    return Accepted(accepted=accepted)
