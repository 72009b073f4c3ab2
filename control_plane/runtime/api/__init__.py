"""The Runtime API (seed 000) under `/api/v1/runtime`: one router per resource."""

from control_plane.routing import ModuleRouter
from control_plane.runtime.api.routes import (
    apps,
    data,
    deployment_logs,
    deployments,
    repository,
    targets,
    tokens,
)

router = ModuleRouter(prefix="/api/v1/runtime")
for module in (apps, repository, tokens, targets, deployments, deployment_logs, data):
    router.include_router(module.router)
