"""Automation (`/api/v1/automation/`): workflows, their nodes and edges, executions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from nocode_client._call import (
    Body,
    Call,
    Id,
    Poll,
    as_json,
    delete,
    get,
    model,
    page_of,
    patch,
    post,
)
from nocode_client.models import (
    Edge,
    Execution,
    ExecutionCancelled,
    ExecutionRetried,
    ExecutionStarted,
    Node,
    Page,
    Workflow,
)

BASE = "/api/v1/automation"


def list_workflows(
    *,
    project: Id | None = None,
    status: str | None = None,
    trigger_type: str | None = None,
    page: int | None = None,
    page_size: int | None = None,
) -> Call[Page[Workflow]]:
    return get(
        f"{BASE}/workflows/",
        read=page_of(Workflow),
        project=project,
        status=status,
        trigger_type=trigger_type,
        page=page,
        page_size=page_size,
    )


def create_workflow(body: Body) -> Call[Workflow]:
    """`{"name", "project", "trigger_type", "trigger_config"?, "settings"?, ...}`."""
    return post(f"{BASE}/workflows/", read=model(Workflow), body=body)


def get_workflow(workflow_id: Id) -> Call[Workflow]:
    return get(f"{BASE}/workflows/{{}}/", workflow_id, read=model(Workflow))


def update_workflow(workflow_id: Id, body: Body) -> Call[Workflow]:
    return patch(f"{BASE}/workflows/{{}}/", workflow_id, read=model(Workflow), body=body)


def delete_workflow(workflow_id: Id) -> Call[None]:
    return delete(f"{BASE}/workflows/{{}}/", workflow_id)


def list_nodes(
    workflow_id: Id, *, page: int | None = None, page_size: int | None = None
) -> Call[Page[Node]]:
    return get(
        f"{BASE}/workflows/{{}}/nodes/",
        workflow_id,
        read=page_of(Node),
        page=page,
        page_size=page_size,
    )


def add_node(workflow_id: Id, body: Body) -> Call[Node]:
    """`{"name", "node_type", "config"?, "position"?, "inputs"?, "outputs"?}`."""
    return post(f"{BASE}/workflows/{{}}/nodes/", workflow_id, read=model(Node), body=body)


def get_node(workflow_id: Id, node_id: Id) -> Call[Node]:
    return get(f"{BASE}/workflows/{{}}/nodes/{{}}/", workflow_id, node_id, read=model(Node))


def update_node(workflow_id: Id, node_id: Id, body: Body) -> Call[Node]:
    return patch(
        f"{BASE}/workflows/{{}}/nodes/{{}}/", workflow_id, node_id, read=model(Node), body=body
    )


def delete_node(workflow_id: Id, node_id: Id) -> Call[None]:
    return delete(f"{BASE}/workflows/{{}}/nodes/{{}}/", workflow_id, node_id)


def list_edges(
    workflow_id: Id, *, page: int | None = None, page_size: int | None = None
) -> Call[Page[Edge]]:
    return get(
        f"{BASE}/workflows/{{}}/edges/",
        workflow_id,
        read=page_of(Edge),
        page=page,
        page_size=page_size,
    )


def add_edge(workflow_id: Id, body: Body) -> Call[Edge]:
    """`{"source_node", "target_node", "condition"?, "label"?}`."""
    return post(f"{BASE}/workflows/{{}}/edges/", workflow_id, read=model(Edge), body=body)


def delete_edge(workflow_id: Id, edge_id: Id) -> Call[None]:
    return delete(f"{BASE}/workflows/{{}}/edges/{{}}/", workflow_id, edge_id)


def workflow_graph(workflow_id: Id) -> Call[dict[str, Any]]:
    """Nodes, edges, layout and figures."""
    return get(f"{BASE}/workflows/{{}}/graph/", workflow_id, read=as_json)


def validate_workflow(workflow_id: Id) -> Call[dict[str, Any]]:
    """The validation report (`can_execute`, `issues`, ...)."""
    return get(f"{BASE}/workflows/{{}}/validate/", workflow_id, read=as_json)


def activate_workflow(workflow_id: Id) -> Call[dict[str, Any]]:
    return post(f"{BASE}/workflows/{{}}/activate/", workflow_id, read=as_json)


def deactivate_workflow(workflow_id: Id) -> Call[dict[str, Any]]:
    return post(f"{BASE}/workflows/{{}}/deactivate/", workflow_id, read=as_json)


def workflow_statistics(workflow_id: Id) -> Call[dict[str, Any]]:
    return get(f"{BASE}/workflows/{{}}/statistics/", workflow_id, read=as_json)


def execute_workflow(
    workflow_id: Id,
    input_data: dict[str, Any] | None = None,
    *,
    execution_context: dict[str, Any] | None = None,
) -> Call[ExecutionStarted]:
    """Start an execution (a job); see `wait_for_execution`."""
    body = {"input_data": input_data or {}, "execution_context": execution_context or {}}
    return post(
        f"{BASE}/workflows/{{}}/execute/", workflow_id, read=model(ExecutionStarted), body=body
    )


def test_workflow(
    workflow_id: Id, input_data: dict[str, Any] | None = None
) -> Call[dict[str, Any]]:
    """A dry run, answered when done: nodes with side effects only say what they would do."""
    body = {"input_data": input_data or {}}
    return post(f"{BASE}/workflows/{{}}/test/", workflow_id, read=as_json, body=body)


def list_executions(
    *,
    workflow: Id | None = None,
    status: str | None = None,
    date_from: datetime | str | None = None,
    date_to: datetime | str | None = None,
    page: int | None = None,
    page_size: int | None = None,
) -> Call[Page[Execution]]:
    return get(
        f"{BASE}/executions/",
        read=page_of(Execution),
        workflow=workflow,
        status=status,
        date_from=date_from,
        date_to=date_to,
        page=page,
        page_size=page_size,
    )


def get_execution(execution_id: Id) -> Call[Execution]:
    """One execution with `execution_details` (a step per node run)."""
    return get(f"{BASE}/executions/{{}}/", execution_id, read=model(Execution))


def cancel_execution(execution_id: Id) -> Call[ExecutionCancelled]:
    return post(f"{BASE}/executions/{{}}/cancel/", execution_id, read=model(ExecutionCancelled))


def retry_execution(execution_id: Id, from_start: bool = False) -> Call[ExecutionRetried]:
    """A new execution from the failed node (or from the start)."""
    body = {"from_start": from_start}
    return post(
        f"{BASE}/executions/{{}}/retry/", execution_id, read=model(ExecutionRetried), body=body
    )


def wait_for_execution(
    execution_id: Id, timeout: float = 300, interval: float = 0.2
) -> Poll[Execution]:
    """The execution once it has ended (`completed`, `failed` or `cancelled`)."""
    return Poll(
        get_execution(execution_id),
        done=lambda execution: execution.finished,
        seen=lambda execution: None,
        timeout=timeout,
        interval=interval,
        what=f"execution {execution_id}",
    )
