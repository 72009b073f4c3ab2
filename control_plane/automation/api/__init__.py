"""The Automation API (seed 004) under `/api/v1/automation`: one router per resource."""

from fastapi import APIRouter

from control_plane.automation.api.routes import (
    activation,
    edges,
    executions,
    graph,
    nodes,
    webhooks,
    workflows,
)

router = APIRouter(prefix="/api/v1/automation")
for module in (workflows, nodes, edges, graph, executions, activation, webhooks):
    router.include_router(module.router)
