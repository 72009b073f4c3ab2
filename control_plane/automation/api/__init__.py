"""The Automation API (seed 004) under `/api/v1/automation`: one router per resource."""

from fastapi import APIRouter

from control_plane.automation.api.routes import edges, executions, graph, nodes, workflows

router = APIRouter(prefix="/api/v1/automation")
for module in (workflows, nodes, edges, graph, executions):
    router.include_router(module.router)
