"""`/workflows/{id}/edges/`: a workflow's edges."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, status

from control_plane.automation.models.graph import EdgeCreate, EdgePublic
from control_plane.automation.queries import edges as queries
from control_plane.automation.services import edges
from control_plane.automation.services.access import authorize_workflow
from control_plane.foundation.api.deps import Caller, Connection, Origin, Pagination
from control_plane.foundation.permissions import Permission
from control_plane.pagination import Page, fetch_page

router = APIRouter(prefix="/workflows/{workflow_id}/edges", tags=["automation edges"])


@router.get("/")
async def list_edges(
    workflow_id: uuid.UUID,
    caller: Caller,
    request: Request,
    connection: Connection,
    pagination: Pagination,
) -> Page[EdgePublic]:
    await authorize_workflow(connection, caller.id, workflow_id, Permission.AUTOMATION_READ)
    values = {"workflow": workflow_id}
    return await fetch_page(connection, request, pagination, queries.OF_WORKFLOW, values)


@router.post("/", status_code=status.HTTP_201_CREATED)
async def create_edge(
    workflow_id: uuid.UUID, body: EdgeCreate, caller: Caller, origin: Origin, connection: Connection
) -> EdgePublic:
    return await edges.create(connection, origin, caller.id, workflow_id, body)


@router.delete("/{edge_id}/", status_code=status.HTTP_204_NO_CONTENT)
async def delete_edge(
    workflow_id: uuid.UUID,
    edge_id: uuid.UUID,
    caller: Caller,
    origin: Origin,
    connection: Connection,
) -> None:
    await edges.delete(connection, origin, caller.id, workflow_id, edge_id)
