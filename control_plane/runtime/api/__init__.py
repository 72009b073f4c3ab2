"""The Runtime API (seed 000) under `/api/v1/runtime`: one router per resource."""

from fastapi import APIRouter

from control_plane.runtime.api.routes import deployment_logs, deployments, targets

router = APIRouter(prefix="/api/v1/runtime")
router.include_router(targets.router)
router.include_router(deployments.router)
router.include_router(deployment_logs.router)
