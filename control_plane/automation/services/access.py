"""Who may reach a workflow, and which nodes a role may place: another organisation's
workflow answers AUTO_001, exactly as a missing one, so ids cannot be probed."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from control_plane.automation.errors import WORKFLOW_NOT_FOUND
from control_plane.automation.node_types import NodeType, required_permission
from control_plane.automation.queries import workflows
from control_plane.db import Conn
from control_plane.errors import PERMISSION_DENIED, ApiError
from control_plane.foundation.models import Role
from control_plane.foundation.permissions import Permission, allowed, authorize_object

NO_WORKFLOW = {"workflow": "No such workflow."}


async def authorize_workflow(
    connection: Conn, user_id: uuid.UUID, workflow_id: uuid.UUID, permission: Permission
) -> tuple[uuid.UUID, Role]:
    """The workflow's organisation and the caller's role there, if it grants `permission`."""
    organization_id = await workflows.organization_of(connection, workflow_id)
    role = await authorize_object(
        connection, user_id, organization_id, permission, NO_WORKFLOW, WORKFLOW_NOT_FOUND
    )
    assert organization_id is not None  # a missing workflow was refused
    return organization_id, role


def authorize_nodes(role: Role, nodes: Iterable[tuple[NodeType, Mapping[str, Any]]]) -> None:
    """403 unless `role` may place every (node type, config) given (node_types.py)."""
    for node_type, config in nodes:
        permission = required_permission(node_type, dict(config))
        if not allowed(role, permission):
            raise ApiError(
                PERMISSION_DENIED,
                {"node_type": f"{role} may not {permission} (a {node_type} node)."},
            )
