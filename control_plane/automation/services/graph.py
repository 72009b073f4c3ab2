"""A workflow's graph as /graph/ shows it: nodes, edges, layout and its figures."""

from __future__ import annotations

import uuid

from control_plane.automation.errors import WORKFLOW_NOT_FOUND
from control_plane.automation.models.graph import (
    GraphEdge,
    GraphMetadata,
    GraphNode,
    GraphPublic,
    GraphWorkflow,
)
from control_plane.automation.queries import graphs
from control_plane.automation.queries.graphs import Graph
from control_plane.automation.services.access import NO_WORKFLOW
from control_plane.automation.services.graph_analysis import complexity_score, execution_paths
from control_plane.db import Conn
from control_plane.errors import ApiError


async def loaded(connection: Conn, workflow_id: uuid.UUID) -> Graph:
    """The workflow's graph; AUTO_001 when it is gone."""
    graph = await graphs.load(connection, workflow_id)
    if graph is None:
        raise ApiError(WORKFLOW_NOT_FOUND, NO_WORKFLOW)
    return graph


def public(graph: Graph) -> GraphPublic:
    workflow = graph.workflow
    return GraphPublic(
        workflow=GraphWorkflow(id=workflow.id, name=workflow.name, status=workflow.status),
        nodes=[
            GraphNode(
                id=node.id,
                name=node.name,
                type=node.node_type,
                position=dict(node.position),
                config=dict(node.config),
            )
            for node in graph.nodes
        ],
        edges=[
            GraphEdge(id=edge.id, source=edge.source, target=edge.target, condition=edge.condition)
            for edge in graph.edges
        ],
        metadata=GraphMetadata(
            total_nodes=len(graph.nodes),
            total_edges=len(graph.edges),
            execution_paths=execution_paths(graph),
            complexity_score=complexity_score(graph),
        ),
    )
