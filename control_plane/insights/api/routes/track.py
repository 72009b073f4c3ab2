"""Event tracking (docs/insights.md, "Tracking"): 202 once the events and their rollups
are committed."""

from fastapi import APIRouter, Response, status

from control_plane.insights.api.deps import TrackingDep
from control_plane.insights.models.track import Accepted, TrackBatch, TrackedEvent
from control_plane.insights.services import track

router = APIRouter(prefix="/track", tags=["insights track"])

_ANSWERS: dict[int | str, dict[str, str]] = {
    503: {"description": "Not recorded (the database failed): send them again"}
}


def _accepted(count: int) -> Response:
    """`Accepted` written by hand: the response model's validation and serialisation
    were a tenth of a tracking request's CPU."""
    body = b'{"accepted":%d}' % count
    return Response(body, status.HTTP_202_ACCEPTED, media_type="application/json")


@router.post("/", status_code=status.HTTP_202_ACCEPTED, response_model=Accepted, responses=_ANSWERS)
async def track_event(body: TrackedEvent, tracking: TrackingDep) -> Response:
    t = tracking
    return _accepted(await track.track(t.writer, t.settings, t.claims, [body], batch=False))


@router.post(
    "/batch/", status_code=status.HTTP_202_ACCEPTED, response_model=Accepted, responses=_ANSWERS
)
async def track_batch(body: TrackBatch, tracking: TrackingDep) -> Response:
    t = tracking
    return _accepted(await track.track(t.writer, t.settings, t.claims, body.events, batch=True))
