"""The Runtime API (seed 000) under `/api/v1/runtime`: one router per resource."""

from fastapi import APIRouter

from control_plane.runtime.api.routes import (
    apps,
    data,
    deployment_logs,
    deployments,
    repository,
    targets,
    tokens,
)

router = APIRouter(prefix="/api/v1/runtime")
for module in (apps, repository, tokens, targets, deployments, deployment_logs, data):
    router.include_router(module.router)
