"""The modules of the control plane, in one place: `app.py` mounts their routers, and
importing this module declares every module's job kinds on `control_plane.jobs.registry`
(the server's in-process worker and `nocode worker` both import it)."""

from fastapi import APIRouter

from control_plane.automation.api import router as automation_router
from control_plane.automation.jobs import (  # noqa: F401  (their job kinds and passes)
    app_events,
    executions,
    triggers,
)
from control_plane.foundation import jobs  # noqa: F401  (declares the Foundation's job kinds)
from control_plane.foundation.api import router as foundation_router
from control_plane.insights.api import router as insights_router
from control_plane.insights.jobs import events, metrics  # noqa: F401  (their job kinds)
from control_plane.jobs import retention  # noqa: F401  (jobs.prune)
from control_plane.paas.api import router as paas_router
from control_plane.paas.jobs import deploy  # noqa: F401  (paas.deploy)
from control_plane.runtime.api import router as runtime_router
from control_plane.runtime.jobs import (  # noqa: F401  (runtime.generate, runtime.deploy)
    deployments,
    generation,
)
from control_plane.studio.api import router as studio_router

ROUTERS: tuple[APIRouter, ...] = (
    foundation_router,
    studio_router,
    runtime_router,
    automation_router,
    insights_router,
    paas_router,
)
