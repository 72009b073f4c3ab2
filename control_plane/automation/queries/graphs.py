"""A workflow with its nodes and edges, read in one go (the engine runs this)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from control_plane.db import Conn, fetch_all, fetch_one


@dataclass(frozen=True)
class WorkflowRow:
    id: uuid.UUID
    organization_id: uuid.UUID
    project_id: uuid.UUID
    name: str
    status: str
    trigger_type: str
    settings: dict[str, Any]
    updated_at: datetime


@dataclass(frozen=True)
class NodeRow:
    id: uuid.UUID
    name: str
    node_type: str
    config: dict[str, Any]
    outputs: list[Any]
    safe_to_repeat: bool


@dataclass(frozen=True)
class EdgeRow:
    id: uuid.UUID
    source_node_id: uuid.UUID
    target_node_id: uuid.UUID
    condition: str | None
    label: str


@dataclass(frozen=True)
class Graph:
    workflow: WorkflowRow
    nodes: tuple[NodeRow, ...]
    edges: tuple[EdgeRow, ...]


async def load(connection: Conn, workflow_id: uuid.UUID) -> Graph | None:
    workflow = await fetch_one(
        connection,
        WorkflowRow,
        "SELECT id, organization_id, project_id, name, status, trigger_type, settings,"
        " updated_at FROM automation_workflows WHERE id = %(id)s",
        {"id": workflow_id},
    )
    if workflow is None:
        return None
    nodes = await fetch_all(
        connection,
        NodeRow,
        "SELECT id, name, node_type, config, outputs, safe_to_repeat FROM automation_nodes"
        " WHERE workflow_id = %(id)s ORDER BY created_at, id",
        {"id": workflow_id},
    )
    edges = await fetch_all(
        connection,
        EdgeRow,
        "SELECT id, source_node_id, target_node_id, condition, label FROM automation_edges"
        " WHERE workflow_id = %(id)s ORDER BY created_at, id",
        {"id": workflow_id},
    )
    return Graph(workflow, tuple(nodes), tuple(edges))
