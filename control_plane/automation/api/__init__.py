"""The Automation API (seed 004) under `/api/v1/automation`: one router per resource."""

from control_plane.automation.api.routes import (
    action_templates,
    activation,
    edges,
    executions,
    graph,
    integrations,
    nodes,
    webhooks,
    workflows,
)
from control_plane.routing import ModuleRouter

router = ModuleRouter(prefix="/api/v1/automation")
for module in (
    workflows,
    nodes,
    edges,
    graph,
    executions,
    integrations,
    action_templates,
    activation,
    webhooks,
):
    router.include_router(module.router)
