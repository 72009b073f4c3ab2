"""`GET /api/stats`: seed 002's figures over the caller's organisations."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from control_plane.foundation.api.deps import Caller, Connection
from control_plane.paas.api.errors import SeedErrorRoute
from control_plane.paas.models import StatsResponse
from control_plane.paas.services import reports

router = APIRouter(tags=["paas"], route_class=SeedErrorRoute)


@router.get("/stats", response_model=StatsResponse)
async def read_stats(
    caller: Caller, connection: Connection, organization_id: uuid.UUID | None = None
) -> StatsResponse:
    """Deployments counted over the organisations whose deployments the caller manages
    (or the one given): deleted ones apart."""
    return StatsResponse(stats=await reports.stats(connection, caller.id, organization_id))
