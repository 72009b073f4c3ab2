"""The Automation API (seed 004) under `/api/v1/automation`: one router per resource."""

from fastapi import APIRouter

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

router = APIRouter(prefix="/api/v1/automation")
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
