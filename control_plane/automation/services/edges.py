"""Edges of a workflow: between two of its nodes, never a node to itself, one per pair, a
condition the expression parser accepts."""

from __future__ import annotations

import uuid

from control_plane.automation.errors import INVALID_DATA
from control_plane.automation.models.graph import EdgeCreate, EdgePublic
from control_plane.automation.queries import edges, workflows
from control_plane.automation.services.access import authorize_workflow
from control_plane.automation.services.node_checks import expression_issue
from control_plane.db import Conn
from control_plane.errors import CONFLICT, LIMIT_REACHED, NOT_FOUND, ApiError
from control_plane.foundation.permissions import Permission
from control_plane.foundation.services.audit import RequestOrigin, record_action

NO_EDGE = {"edge": "No such edge in this workflow."}
# Not a seed limit: it bounds what validating or drawing one workflow may cost.
MAX_PER_WORKFLOW = 1000


async def create(
    connection: Conn,
    origin: RequestOrigin,
    user_id: uuid.UUID,
    workflow_id: uuid.UUID,
    body: EdgeCreate,
) -> EdgePublic:
    edge_id = uuid.uuid4()
    if body.source_node == body.target_node:
        raise ApiError(INVALID_DATA, {"target_node": "An edge joins two different nodes."})
    if body.condition is not None and (problem := expression_issue(body.condition)):
        raise ApiError(INVALID_DATA, {"condition": problem})
    async with connection.transaction():
        organization_id, _ = await authorize_workflow(
            connection, user_id, workflow_id, Permission.WORKFLOWS_BASIC
        )
        await workflows.touch(connection, workflow_id)  # and lock it: counts stay true
        if await edges.count_of_workflow(connection, workflow_id) >= MAX_PER_WORKFLOW:
            raise ApiError(
                LIMIT_REACHED,
                {"workflow": f"A workflow has at most {MAX_PER_WORKFLOW} edges."},
            )
        joined = await edges.nodes_in_workflow(
            connection, workflow_id, body.source_node, body.target_node
        )
        if joined < 2:
            raise ApiError(
                INVALID_DATA,
                {"source_node, target_node": "Both nodes must be nodes of this workflow."},
            )
        values = {
            "source": body.source_node,
            "target": body.target_node,
            "condition": body.condition,
            "label": body.label,
            "style": body.style,
        }
        if not await edges.insert(connection, edge_id, workflow_id, values):
            raise ApiError(CONFLICT, {"target_node": "These nodes are already joined."})
        await record_action(
            connection,
            origin,
            user_id,
            organization_id,
            "edge.create",
            edge_id,
            {"workflow": str(workflow_id)},
        )
        edge = await edges.one(connection, workflow_id, edge_id)
        assert edge is not None
        return edge


async def delete(
    connection: Conn,
    origin: RequestOrigin,
    user_id: uuid.UUID,
    workflow_id: uuid.UUID,
    edge_id: uuid.UUID,
) -> None:
    async with connection.transaction():
        organization_id, _ = await authorize_workflow(
            connection, user_id, workflow_id, Permission.WORKFLOWS_BASIC
        )
        await workflows.touch(connection, workflow_id)
        if not await edges.delete(connection, workflow_id, edge_id):
            raise ApiError(NOT_FOUND, NO_EDGE)
        await record_action(
            connection,
            origin,
            user_id,
            organization_id,
            "edge.delete",
            edge_id,
            {"workflow": str(workflow_id)},
        )
