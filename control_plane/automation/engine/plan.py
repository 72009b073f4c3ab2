"""A workflow's graph arranged for running: nodes in topological order, the outgoing edges
of each, and the body of each loop.

A loop's body starts at the node its config names in `body` (an id or a name), the target
of one of its edges; it is every node reached from there without going through the loop
again, and its last nodes have an edge back to the loop (those edges close the body: they
are not walked). The loop's other edges are its exit, taken once after the last iteration.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from control_plane.automation.node_types import NodeType
from control_plane.automation.queries.graphs import Graph


@dataclass(frozen=True)
class PlanNode:
    id: uuid.UUID
    name: str
    node_type: NodeType
    config: Mapping[str, Any]
    output_names: tuple[str, ...]  # the names the node declares in `outputs`
    safe_to_repeat: bool


@dataclass(frozen=True)
class PlanEdge:
    source: uuid.UUID
    target: uuid.UUID
    condition: str | None
    body: bool  # from a loop to the first node of its body


@dataclass(frozen=True)
class Region:
    """Nodes run together: the workflow's top level, or one iteration of a loop's body."""

    order: tuple[uuid.UUID, ...]  # topological
    entries: tuple[uuid.UUID, ...]  # the nodes that start it


@dataclass(frozen=True)
class Plan:
    nodes: Mapping[uuid.UUID, PlanNode]
    outgoing: Mapping[uuid.UUID, tuple[PlanEdge, ...]]  # walked edges only
    top: Region
    bodies: Mapping[uuid.UUID, Region]  # loop id -> its body
    closing: Mapping[uuid.UUID, frozenset[uuid.UUID]]  # loop id -> body nodes ending it


class PlanError(ValueError):
    """The graph cannot be run (no trigger, a cycle outside a loop)."""


def _output_names(outputs: Sequence[Mapping[str, Any]]) -> tuple[str, ...]:
    return tuple(o["name"] for o in outputs if isinstance(o.get("name"), str))


def _reach(start: Iterable[uuid.UUID], edges: Mapping[uuid.UUID, list[uuid.UUID]],
           stop: uuid.UUID) -> set[uuid.UUID]:  # fmt: skip
    seen: set[uuid.UUID] = set()
    todo = [node for node in start if node != stop]
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        todo.extend(target for target in edges.get(node, []) if target != stop)
    return seen


def _topological(members: set[uuid.UUID], edges: Sequence[PlanEdge],
                 ranks: Mapping[uuid.UUID, int]) -> tuple[uuid.UUID, ...]:  # fmt: skip
    """Kahn's order of `members` (ties by creation order); PlanError on a cycle."""
    inner = [e for e in edges if e.source in members and e.target in members]
    waiting = {node: 0 for node in members}
    for edge in inner:
        waiting[edge.target] += 1
    ready = sorted((n for n, count in waiting.items() if count == 0), key=ranks.__getitem__)
    order: list[uuid.UUID] = []
    while ready:
        node = ready.pop(0)
        order.append(node)
        for edge in inner:
            if edge.source == node:
                waiting[edge.target] -= 1
                if waiting[edge.target] == 0:
                    ready.append(edge.target)
                    ready.sort(key=ranks.__getitem__)
    if len(order) != len(members):
        raise PlanError("a cycle that does not go through a loop node")
    return tuple(order)


def _is_body(loop: PlanNode | None, target: PlanNode) -> bool:
    if loop is None or loop.node_type is not NodeType.LOOP:
        return False
    return loop.config.get("body") in (str(target.id), target.name)


def build(graph: Graph) -> Plan:
    plan_nodes = {
        n.id: PlanNode(n.id, n.name, n.node_type, n.config, _output_names(n.outputs),
                       n.safe_to_repeat)
        for n in graph.nodes
    }  # fmt: skip
    ranks = {n.id: rank for rank, n in enumerate(graph.nodes)}
    all_edges = [
        PlanEdge(e.source, e.target, e.condition,
                 _is_body(plan_nodes.get(e.source), plan_nodes[e.target]))
        for e in graph.edges
    ]  # fmt: skip
    targets: dict[uuid.UUID, list[uuid.UUID]] = {}
    for edge in all_edges:
        targets.setdefault(edge.source, []).append(edge.target)
    loops = [n.id for n in plan_nodes.values() if n.node_type is NodeType.LOOP]
    body_members: dict[uuid.UUID, set[uuid.UUID]] = {}
    for loop in loops:
        starts = [e.target for e in all_edges if e.source == loop and e.body]
        body_members[loop] = _reach(starts, targets, loop)
    closing_edges = {
        (e.source, e.target) for e in all_edges
        if e.target in body_members and e.source in body_members[e.target]
    }  # fmt: skip
    walked = [e for e in all_edges if (e.source, e.target) not in closing_edges]
    # A node belongs to the innermost loop whose body holds it.
    owner: dict[uuid.UUID, uuid.UUID] = {}
    for loop in sorted(loops, key=lambda loop: len(body_members[loop]), reverse=True):
        for member in body_members[loop]:
            owner[member] = loop

    def region(members: set[uuid.UUID], entries: Iterable[uuid.UUID]) -> Region:
        return Region(_topological(members, walked, ranks), tuple(entries))

    triggers = [n.id for n in plan_nodes.values() if n.node_type is NodeType.TRIGGER]
    if len(triggers) != 1:
        raise PlanError(f"a workflow needs exactly one trigger node, it has {len(triggers)}")
    top = region({n for n in plan_nodes if n not in owner}, triggers)
    bodies = {
        loop: region(
            {n for n, o in owner.items() if o == loop},
            [e.target for e in walked if e.source == loop and e.body],
        )
        for loop in loops
    }
    closing = {loop: frozenset(s for s, t in closing_edges if t == loop) for loop in loops}
    outgoing = {node: tuple(e for e in walked if e.source == node) for node in plan_nodes}
    return Plan(plan_nodes, outgoing, top, bodies, closing)
