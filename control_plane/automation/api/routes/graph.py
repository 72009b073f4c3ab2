"""`/workflows/{id}/graph/` and `/workflows/{id}/validate/`: the whole graph with its
figures, and whether it can run."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from control_plane.automation.api.deps import Services
from control_plane.automation.models.graph import GraphPublic, ValidationReport
from control_plane.automation.services import graph, validation
from control_plane.automation.services.access import authorize_workflow
from control_plane.foundation.api.deps import Caller, Connection
from control_plane.foundation.permissions import Permission

router = APIRouter(prefix="/workflows/{workflow_id}", tags=["automation graph"])


@router.get("/graph/")
async def get_graph(workflow_id: uuid.UUID, caller: Caller, connection: Connection) -> GraphPublic:
    await authorize_workflow(connection, caller.id, workflow_id, Permission.AUTOMATION_READ)
    return graph.public(await graph.loaded(connection, workflow_id))


@router.get("/validate/")
async def validate_workflow(
    workflow_id: uuid.UUID, caller: Caller, connection: Connection, services: Services
) -> ValidationReport:
    organization_id, _ = await authorize_workflow(
        connection, caller.id, workflow_id, Permission.AUTOMATION_READ
    )
    return await validation.validate(connection, workflow_id, organization_id, services=services)
