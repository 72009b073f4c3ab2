"""Whether a workflow can run (GET /validate/, and before executing, testing or activating
it): exactly one trigger node, every node reached from it, no cycle except through a
`loop` node, each required input given upstream, configs that their executors and the
expression parser accept, and the integrations the nodes need available.

Each problem is an issue with the AUTO code that `raise_if_invalid` answers with: AUTO_002
(a node the trigger does not reach), AUTO_003 (a cycle), AUTO_004 (an integration),
AUTO_007 (anything else)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from control_plane.automation.engine.nodes import EXECUTORS, NodeServices
from control_plane.automation.errors import (
    CIRCULAR_DEPENDENCY,
    INTEGRATION_NOT_CONFIGURED,
    INVALID_DATA,
    NODE_NOT_CONNECTED,
    WORKFLOW_NOT_FOUND,
)
from control_plane.automation.models.graph import (
    Check,
    CheckName,
    CheckStatus,
    Issue,
    ValidationReport,
    ValidationWarning,
)
from control_plane.automation.node_types import NodeType
from control_plane.automation.queries.graphs import Graph
from control_plane.automation.services.access import NO_WORKFLOW
from control_plane.automation.services.graph import loaded
from control_plane.automation.services.graph_analysis import (
    ancestors_of,
    cycles_without_loop,
    unreachable,
)
from control_plane.automation.services.node_checks import config_issues
from control_plane.db import Conn
from control_plane.errors import ApiError

_KINDS = {
    kind.code: kind
    for kind in (NODE_NOT_CONNECTED, CIRCULAR_DEPENDENCY, INTEGRATION_NOT_CONFIGURED, INVALID_DATA)
}

_PASSED = {
    CheckName.NODES_CONNECTED: "Every node is reached from the trigger.",
    CheckName.NO_CIRCULAR_DEPENDENCIES: "No cycle, except through loop nodes.",
    CheckName.REQUIRED_INPUTS: "Every required input is given and every config is valid.",
    CheckName.INTEGRATION_AVAILABILITY: "Every integration the nodes need is available.",
}


async def validate(
    connection: Conn,
    workflow_id: uuid.UUID,
    organization_id: uuid.UUID,
    *,
    services: NodeServices | None = None,
) -> ValidationReport:
    """The workflow's report; AUTO_001 unless it is a workflow of `organization_id`.
    Without `services` the integrations are not looked at (the check says so)."""
    graph = await loaded(connection, workflow_id)
    if graph.workflow.organization_id != organization_id:
        raise ApiError(WORKFLOW_NOT_FOUND, NO_WORKFLOW)
    found = {
        CheckName.NODES_CONNECTED: _connection_issues(graph),
        CheckName.NO_CIRCULAR_DEPENDENCIES: _cycle_issues(graph),
        CheckName.REQUIRED_INPUTS: _input_issues(graph),
        CheckName.INTEGRATION_AVAILABILITY: await _integration_issues(graph, services),
    }
    checks = [_check(name, issues) for name, issues in found.items()]
    if services is None:
        checks[-1] = Check(
            check=CheckName.INTEGRATION_AVAILABILITY,
            status=CheckStatus.WARNING,
            message="Not checked: no access to the integrations here.",
        )
    issues = [issue for group in found.values() for issue in group]
    return ValidationReport(
        workflow_id=workflow_id,
        validation_status="invalid" if issues else "valid",
        checks=checks,
        issues=issues,
        warnings=_warnings(graph),
        can_execute=not issues,
    )


def raise_if_invalid(report: ValidationReport) -> None:
    """The first issue as an error: its AUTO code, the node and what is wrong."""
    if not report.issues:
        return
    first = report.issues[0]
    details = {first.field or first.type: first.message}
    if first.node_id is not None:
        details["node_id"] = str(first.node_id)
    raise ApiError(_KINDS.get(first.code, INVALID_DATA), details)


def _check(name: CheckName, issues: list[Issue]) -> Check:
    if not issues:
        return Check(check=name, status=CheckStatus.PASSED, message=_PASSED[name])
    return Check(check=name, status=CheckStatus.FAILED, message=issues[0].message)


def _connection_issues(graph: Graph) -> list[Issue]:
    if len(graph.triggers) != 1:
        count = len(graph.triggers)
        message = f"A workflow needs exactly one trigger node; it has {count}."
        return [Issue(type="trigger_count", code=INVALID_DATA.code, message=message)]
    names = {node.id: node.name for node in graph.nodes}
    return [
        Issue(
            type="node_not_connected",
            code=NODE_NOT_CONNECTED.code,
            message=f"No path from the trigger reaches the node {names[node_id]!r}.",
            node_id=node_id,
        )
        for node_id in unreachable(graph, graph.triggers[0].id)
    ]


def _cycle_issues(graph: Graph) -> list[Issue]:
    names = {node.id: node.name for node in graph.nodes}
    return [
        Issue(
            type="circular_dependency",
            code=CIRCULAR_DEPENDENCY.code,
            message="A cycle that goes through no loop node: "
            + " -> ".join(repr(names[node_id]) for node_id in cycle),
            node_id=cycle[0],
        )
        for cycle in cycles_without_loop(graph)
    ]


def _input_issues(graph: Graph) -> list[Issue]:
    by_id = {node.id: node for node in graph.nodes}
    upstream_of = ancestors_of(graph)
    issues: list[Issue] = []
    for node in graph.nodes:
        upstream = [by_id[other] for other in upstream_of[node.id]]
        given = _names(port for other in upstream for port in other.outputs)
        # What the trigger's caller sends (its inputs) reaches every node after it.
        given |= _names(
            port
            for other in [*upstream, node]
            if other.node_type is NodeType.TRIGGER
            for port in other.inputs
        )
        for port in node.inputs:
            if port.get("required") and port["name"] not in given:
                issues.append(
                    Issue(
                        type="missing_input",
                        code=INVALID_DATA.code,
                        message=f"No node before {node.name!r} gives its input {port['name']!r}.",
                        node_id=node.id,
                        field=f"inputs.{port['name']}",
                    )
                )
        issues.extend(
            Issue(
                type="invalid_config",
                code=problem.code,
                message=problem.message,
                node_id=node.id,
                field=problem.field,
            )
            for problem in config_issues(node.node_type, node.config)
        )
    return issues


async def _integration_issues(graph: Graph, services: NodeServices | None) -> list[Issue]:
    if services is None:
        return []
    issues: list[Issue] = []
    for node in graph.nodes:
        executor = EXECUTORS.get(node.node_type)
        if executor is None:
            continue
        problems = await executor.check_environment(
            node.config, graph.workflow.organization_id, services
        )
        issues.extend(
            Issue(
                type="integration_unavailable",
                code=problem.code,
                message=problem.message,
                node_id=node.id,
                field=problem.field,
            )
            for problem in problems
        )
    return issues


def _warnings(graph: Graph) -> list[ValidationWarning]:
    return [
        ValidationWarning(
            type="unchecked_node_type",
            message=f"No executor of {node.node_type} nodes is installed: "
            f"{node.name!r} cannot run.",
            node_id=node.id,
        )
        for node in graph.nodes
        if node.node_type not in EXECUTORS
    ]


def _names(ports: Iterable[object]) -> set[str]:
    return {str(port["name"]) for port in ports if isinstance(port, dict) and "name" in port}
