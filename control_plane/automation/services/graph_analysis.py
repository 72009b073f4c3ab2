"""What the shape of a workflow's graph says, computed with networkx: which nodes the
trigger reaches, which cycles do not go through a `loop` node, how many execution paths
there are, McCabe's complexity."""

from __future__ import annotations

import uuid

import networkx as nx

from control_plane.automation.node_types import NodeType
from control_plane.automation.queries.graphs import Graph


def digraph(graph: Graph) -> nx.DiGraph[uuid.UUID]:
    shape: nx.DiGraph[uuid.UUID] = nx.DiGraph()
    shape.add_nodes_from(node.id for node in graph.nodes)
    shape.add_edges_from((edge.source, edge.target) for edge in graph.edges)
    return shape


def unreachable(graph: Graph, trigger: uuid.UUID) -> list[uuid.UUID]:
    """The nodes no path from the trigger leads to, in creation order."""
    reached = nx.descendants(digraph(graph), trigger) | {trigger}
    return [node.id for node in graph.nodes if node.id not in reached]


def cycles_without_loop(graph: Graph) -> list[list[uuid.UUID]]:
    """The node sets (in creation order) that hold a cycle through no `loop` node: a loop
    node is how a workflow repeats; any other cycle would never end."""
    loops = {node.id for node in graph.nodes if node.node_type is NodeType.LOOP}
    rest = digraph(graph).subgraph(node.id for node in graph.nodes if node.id not in loops)
    order = {node.id: index for index, node in enumerate(graph.nodes)}
    return sorted(
        (
            sorted(component, key=order.__getitem__)
            for component in nx.strongly_connected_components(rest)
            if len(component) > 1
        ),
        key=lambda component: order[component[0]],
    )


def ancestors_of(graph: Graph) -> dict[uuid.UUID, set[uuid.UUID]]:
    """Each node's ancestors: the nodes some path leads from to it."""
    shape = digraph(graph)
    return {node.id: set(nx.ancestors(shape, node.id)) for node in graph.nodes}


def execution_paths(graph: Graph) -> int:
    """Distinct paths from the trigger to the nodes without successors; the nodes of a
    cycle (a loop's body and its way back) count as one step. 0 without one trigger."""
    if len(graph.triggers) != 1:
        return 0
    condensed = nx.condensation(digraph(graph))
    start = condensed.graph["mapping"][graph.triggers[0].id]
    paths = {start: 1}
    reached = nx.descendants(condensed, start) | {start}
    total = 0
    for component in nx.topological_sort(condensed.subgraph(reached)):
        successors = list(condensed.successors(component))
        if not successors:
            total += paths[component]
        for successor in successors:
            paths[successor] = paths.get(successor, 0) + paths[component]
    return total


def complexity_score(graph: Graph) -> int:
    """McCabe's cyclomatic complexity E - N + 2P (P: connected components, directions
    ignored): 1 for a chain, one more for each branch or cycle; 0 for an empty graph."""
    if not graph.nodes:
        return 0
    shape = digraph(graph)
    components = nx.number_weakly_connected_components(shape)
    return shape.number_of_edges() - shape.number_of_nodes() + 2 * components
