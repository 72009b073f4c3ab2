"""Automation's answers: workflows, their nodes and edges, executions."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from nocode_client.models.common import ApiModel

FINISHED_EXECUTION = frozenset({"completed", "failed", "cancelled"})


class Workflow(ApiModel):
    id: UUID
    name: str
    description: str
    status: str  # draft, active, inactive, scheduled
    trigger_type: str
    trigger_config: dict[str, Any]
    nodes_count: int
    edges_count: int
    executions_count: int
    success_rate: float | None
    last_executed: datetime | None
    created_at: datetime
    updated_at: datetime


class Node(ApiModel):
    id: UUID
    workflow: UUID
    name: str
    node_type: str
    position: dict[str, Any]
    config: dict[str, Any]
    inputs: list[dict[str, Any]]
    outputs: list[dict[str, Any]]
    created_at: datetime
    updated_at: datetime


class Edge(ApiModel):
    id: UUID
    workflow: UUID
    source_node: UUID
    target_node: UUID
    condition: str | None
    label: str
    created_at: datetime


class ExecutionStarted(ApiModel):
    execution_id: UUID
    workflow_id: UUID
    status: str
    input_data: dict[str, Any]


class Execution(ApiModel):
    """An execution as the list shows it; `get_execution` adds `execution_details` (one
    per node run) and `performance_metrics`."""

    id: UUID
    status: str  # running, completed, failed, cancelled
    mode: str
    started_at: datetime | None
    completed_at: datetime | None
    duration_seconds: float | None
    trigger_type: str
    input_data: dict[str, Any]
    output_data: dict[str, Any] | None
    execution_path: list[Any]
    error_code: str | None
    error_message: str | None

    @property
    def finished(self) -> bool:
        return self.status in FINISHED_EXECUTION


class ExecutionCancelled(ApiModel):
    execution_id: UUID
    status: str


class ExecutionRetried(ApiModel):
    original_execution_id: UUID
    new_execution_id: UUID
    status: str
