"""`/workflows/{id}/nodes/`: a workflow's nodes. Which role may place which node type:
control_plane/automation/node_types.py."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, status

from control_plane.automation.models.graph import NodeCreate, NodePublic, NodeUpdate
from control_plane.automation.queries import nodes as queries
from control_plane.automation.services import execution_records, nodes
from control_plane.automation.services.access import authorize_workflow
from control_plane.foundation.api.deps import Caller, Connection, Origin, Pagination
from control_plane.foundation.permissions import Permission
from control_plane.pagination import Page, fetch_page

router = APIRouter(prefix="/workflows/{workflow_id}/nodes", tags=["automation nodes"])


@router.get("/")
async def list_nodes(
    workflow_id: uuid.UUID,
    caller: Caller,
    request: Request,
    connection: Connection,
    pagination: Pagination,
) -> Page[NodePublic]:
    await authorize_workflow(connection, caller.id, workflow_id, Permission.AUTOMATION_READ)
    values = {"workflow": workflow_id}
    return await fetch_page(connection, request, pagination, queries.OF_WORKFLOW, values)


@router.post("/", status_code=status.HTTP_201_CREATED)
async def create_node(
    workflow_id: uuid.UUID, body: NodeCreate, caller: Caller, origin: Origin, connection: Connection
) -> NodePublic:
    return await nodes.create(connection, origin, caller.id, workflow_id, body)


@router.get("/{node_id}/")
async def get_node(
    workflow_id: uuid.UUID, node_id: uuid.UUID, caller: Caller, connection: Connection
) -> NodePublic:
    await authorize_workflow(connection, caller.id, workflow_id, Permission.AUTOMATION_READ)
    node = await nodes.existing(connection, workflow_id, node_id)
    statistics = await execution_records.node_statistics(connection, node_id)
    return node.model_copy(update={"execution_statistics": statistics})


@router.put("/{node_id}/")
@router.patch("/{node_id}/")
async def update_node(
    workflow_id: uuid.UUID,
    node_id: uuid.UUID,
    body: NodeUpdate,
    caller: Caller,
    origin: Origin,
    connection: Connection,
) -> NodePublic:
    """Change the keys given (the node type stays)."""
    return await nodes.update(connection, origin, caller.id, workflow_id, node_id, body)


@router.delete("/{node_id}/", status_code=status.HTTP_204_NO_CONTENT)
async def delete_node(
    workflow_id: uuid.UUID,
    node_id: uuid.UUID,
    caller: Caller,
    origin: Origin,
    connection: Connection,
) -> None:
    """Delete the node with its edges."""
    await nodes.delete(connection, origin, caller.id, workflow_id, node_id)
