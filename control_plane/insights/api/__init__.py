"""The Insights API (seed 001) under `/api/v1/insights`: one router per resource."""

from control_plane.insights.api.routes import (
    activities,
    analytics,
    dashboards,
    exports,
    performance,
    system_metrics,
    track,
)
from control_plane.routing import ModuleRouter

router = ModuleRouter(prefix="/api/v1/insights")
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
