"""The Insights API (seed 001) under `/api/v1/insights`: one router per resource."""

from fastapi import APIRouter

from control_plane.insights.api.routes import (
    activities,
    analytics,
    dashboards,
    exports,
    performance,
    system_metrics,
    track,
)

router = APIRouter(prefix="/api/v1/insights")
for module in (
    track,
    activities,
    analytics,
    dashboards,
    exports,
    performance,
    system_metrics,
):
    router.include_router(module.router)
