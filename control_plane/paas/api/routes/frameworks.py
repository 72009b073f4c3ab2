"""`GET /api/frameworks`: the frameworks a deployment may name (seed 002), any caller."""

from __future__ import annotations

from fastapi import APIRouter

from control_plane.foundation.api.deps import Caller
from control_plane.paas.api.errors import SeedErrorRoute
from control_plane.paas.models import FrameworksResponse
from deployment.frameworks import FRAMEWORKS

router = APIRouter(tags=["paas"], route_class=SeedErrorRoute)


@router.get("/frameworks", response_model=FrameworksResponse)
async def list_frameworks(caller: Caller) -> FrameworksResponse:
    """Every supported framework: how it is installed, started and checked."""
    del caller  # any logged-in user
    return FrameworksResponse(
        frameworks={key: row.public() for key, row in sorted(FRAMEWORKS.items())}
    )
