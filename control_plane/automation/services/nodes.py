"""Nodes of a workflow: who may place which node type (node_types.py), a config its
executor and the expression parser accept, at most one trigger node a workflow."""

from __future__ import annotations

import uuid
from typing import Any

from control_plane.automation.errors import INVALID_DATA
from control_plane.automation.models.graph import NodeCreate, NodePublic, NodeUpdate
from control_plane.automation.node_types import NodeType
from control_plane.automation.queries import nodes, workflows
from control_plane.automation.services.access import authorize_nodes, authorize_workflow
from control_plane.automation.services.node_checks import config_issues
from control_plane.db import Conn
from control_plane.errors import LIMIT_REACHED, NOT_FOUND, ApiError
from control_plane.foundation.permissions import Permission
from control_plane.foundation.services.audit import RequestOrigin, record_action

NO_NODE = {"node": "No such node in this workflow."}
# Not a seed limit: it bounds what validating or drawing one workflow may cost.
MAX_PER_WORKFLOW = 200


async def existing(connection: Conn, workflow_id: uuid.UUID, node_id: uuid.UUID) -> NodePublic:
    node = await nodes.one(connection, workflow_id, node_id)
    if node is None:
        raise ApiError(NOT_FOUND, NO_NODE)
    return node


def _check_config(node_type: NodeType, config: dict[str, Any]) -> None:
    issues = config_issues(node_type, config)
    if issues:
        raise ApiError(INVALID_DATA, {issue.field: issue.message for issue in issues})


async def _check_single_trigger(
    connection: Conn, workflow_id: uuid.UUID, node_id: uuid.UUID, node_type: NodeType
) -> None:
    if node_type is NodeType.TRIGGER and await nodes.has_other_trigger(
        connection, workflow_id, node_id
    ):
        raise ApiError(INVALID_DATA, {"node_type": "A workflow has one trigger node."})


async def create(
    connection: Conn,
    origin: RequestOrigin,
    user_id: uuid.UUID,
    workflow_id: uuid.UUID,
    body: NodeCreate,
) -> NodePublic:
    node_id = uuid.uuid4()
    _check_config(body.node_type, body.config)
    async with connection.transaction():
        organization_id, role = await authorize_workflow(
            connection, user_id, workflow_id, Permission.WORKFLOWS_BASIC
        )
        authorize_nodes(role, [(body.node_type, body.config)])
        await workflows.touch(connection, workflow_id)  # and lock it: counts stay true
        if await nodes.count_of_workflow(connection, workflow_id) >= MAX_PER_WORKFLOW:
            raise ApiError(
                LIMIT_REACHED,
                {"workflow": f"A workflow has at most {MAX_PER_WORKFLOW} nodes."},
            )
        await _check_single_trigger(connection, workflow_id, node_id, body.node_type)
        await nodes.insert(connection, node_id, workflow_id, body.model_dump(mode="json"))
        await record_action(
            connection,
            origin,
            user_id,
            organization_id,
            "node.create",
            node_id,
            {"workflow": str(workflow_id), "node_type": body.node_type},
        )
        return await existing(connection, workflow_id, node_id)


async def update(
    connection: Conn,
    origin: RequestOrigin,
    user_id: uuid.UUID,
    workflow_id: uuid.UUID,
    node_id: uuid.UUID,
    body: NodeUpdate,
) -> NodePublic:
    changes = body.model_dump(mode="json", exclude_unset=True, exclude_none=True)
    async with connection.transaction():
        organization_id, role = await authorize_workflow(
            connection, user_id, workflow_id, Permission.WORKFLOWS_BASIC
        )
        await workflows.touch(connection, workflow_id)
        node = await existing(connection, workflow_id, node_id)
        config = changes.get("config", node.config)
        # The role must allow the node as it was (changing it) and as it will be.
        authorize_nodes(role, [(node.node_type, node.config), (node.node_type, config)])
        if "config" in changes:
            _check_config(node.node_type, config)
        await nodes.update(connection, node_id, changes)
        await record_action(
            connection,
            origin,
            user_id,
            organization_id,
            "node.update",
            node_id,
            {"workflow": str(workflow_id), "fields": sorted(changes)},
        )
        return await existing(connection, workflow_id, node_id)


async def delete(
    connection: Conn,
    origin: RequestOrigin,
    user_id: uuid.UUID,
    workflow_id: uuid.UUID,
    node_id: uuid.UUID,
) -> None:
    """Delete the node with its edges."""
    async with connection.transaction():
        organization_id, role = await authorize_workflow(
            connection, user_id, workflow_id, Permission.WORKFLOWS_BASIC
        )
        await workflows.touch(connection, workflow_id)
        node = await existing(connection, workflow_id, node_id)
        authorize_nodes(role, [(node.node_type, node.config)])
        await nodes.delete(connection, node_id)
        await record_action(
            connection,
            origin,
            user_id,
            organization_id,
            "node.delete",
            node_id,
            {"workflow": str(workflow_id)},
        )
