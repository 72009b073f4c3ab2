"""A workflow with its nodes and edges, read in one statement: what the engine runs (once
per execution, so kept cheap), what /graph/ shows and what validation checks."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from control_plane.automation.models.common import TriggerType, WorkflowSettings, WorkflowStatus
from control_plane.automation.node_types import NodeType
from control_plane.db import Conn


@dataclass(frozen=True)
class WorkflowRecord:
    id: uuid.UUID
    organization_id: uuid.UUID
    project_id: uuid.UUID
    name: str
    status: WorkflowStatus
    trigger_type: TriggerType
    trigger_config: Mapping[str, Any]
    settings: WorkflowSettings
    activated_by: uuid.UUID | None
    updated_at: datetime


@dataclass(frozen=True)
class Node:
    id: uuid.UUID
    name: str
    node_type: NodeType
    position: Mapping[str, int | float]
    config: Mapping[str, Any]
    inputs: tuple[Mapping[str, Any], ...]
    outputs: tuple[Mapping[str, Any], ...]
    safe_to_repeat: bool


@dataclass(frozen=True)
class Edge:
    id: uuid.UUID
    source: uuid.UUID
    target: uuid.UUID
    condition: str | None


@dataclass(frozen=True)
class Graph:
    workflow: WorkflowRecord
    nodes: tuple[Node, ...]  # in creation order
    edges: tuple[Edge, ...]  # in creation order

    @property
    def triggers(self) -> tuple[Node, ...]:
        return tuple(node for node in self.nodes if node.node_type is NodeType.TRIGGER)


LOAD = """
SELECT w.id, w.organization_id, w.project_id, w.name, w.status, w.trigger_type,
    w.trigger_config, w.settings, w.activated_by, w.updated_at,
    (SELECT coalesce(json_agg(json_build_object(
                'id', n.id, 'name', n.name, 'node_type', n.node_type, 'position', n.position,
                'config', n.config, 'inputs', n.inputs, 'outputs', n.outputs,
                'safe_to_repeat', n.safe_to_repeat) ORDER BY n.created_at, n.id), '[]')
     FROM automation_nodes AS n WHERE n.workflow_id = w.id),
    (SELECT coalesce(json_agg(json_build_object(
                'id', e.id, 'source', e.source_node_id, 'target', e.target_node_id,
                'condition', e.condition) ORDER BY e.created_at, e.id), '[]')
     FROM automation_edges AS e WHERE e.workflow_id = w.id)
FROM automation_workflows AS w WHERE w.id = %(workflow)s
"""


async def load(connection: Conn, workflow_id: uuid.UUID) -> Graph | None:
    """The workflow's graph, or None when there is no such workflow."""
    cursor = await connection.execute(LOAD, {"workflow": workflow_id})
    row = await cursor.fetchone()
    if row is None:
        return None
    *columns, nodes, edges = row
    (id_, organization_id, project_id, name, status, trigger_type, trigger_config, settings,
     activated_by, updated_at) = columns  # fmt: skip
    workflow = WorkflowRecord(
        id=id_,
        organization_id=organization_id,
        project_id=project_id,
        name=name,
        status=WorkflowStatus(status),
        trigger_type=TriggerType(trigger_type),
        trigger_config=trigger_config,
        settings=WorkflowSettings.model_validate(settings),
        activated_by=activated_by,
        updated_at=updated_at,
    )
    return Graph(
        workflow=workflow,
        nodes=tuple(_node(node) for node in nodes),
        edges=tuple(_edge(edge) for edge in edges),
    )


def _node(node: dict[str, Any]) -> Node:
    return Node(
        id=uuid.UUID(node["id"]),
        name=node["name"],
        node_type=NodeType(node["node_type"]),
        position=node["position"],
        config=node["config"],
        inputs=tuple(node["inputs"]),
        outputs=tuple(node["outputs"]),
        safe_to_repeat=node["safe_to_repeat"],
    )


def _edge(edge: dict[str, Any]) -> Edge:
    return Edge(
        id=uuid.UUID(edge["id"]),
        source=uuid.UUID(edge["source"]),
        target=uuid.UUID(edge["target"]),
        condition=edge["condition"],
    )
