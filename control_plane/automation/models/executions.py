"""Bodies of the executions API (seed 004 "Exécutions", execute, test, "Statistiques
Workflow"). `memory_usage_mb` is null: an execution shares its worker's process with
others, so no per-execution figure is measured (docs/automation.md)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from control_plane.automation.models.common import ExecutionStatus
from control_plane.foundation.models import Body


class ExecuteRequest(Body):
    input_data: dict[str, Any] = Field(default_factory=dict)
    execution_context: dict[str, Any] = Field(default_factory=dict)
    trigger_type: Literal["manual", "api_call"] = "manual"


class ExecutionAccepted(BaseModel):
    execution_id: uuid.UUID
    workflow_id: uuid.UUID
    status: ExecutionStatus
    started_at: datetime
    estimated_duration: str | None  # from the workflow's past executions; None: no history
    input_data: dict[str, Any]


class TestRequest(Body):
    test_data: dict[str, Any] = Field(default_factory=dict)
    test_mode: Literal["dry_run"] = "dry_run"
    capture_outputs: bool = True


class TestPerformance(BaseModel):
    duration_seconds: float
    memory_usage_mb: float | None = None


class TestResults(BaseModel):
    nodes_executed: int
    nodes_success: int
    nodes_failed: int
    execution_path: list[uuid.UUID]
    outputs: dict[str, Any] | None
    performance: TestPerformance


class ValidationResults(BaseModel):
    all_nodes_connected: bool
    no_circular_dependencies: bool
    all_required_inputs_provided: bool


class TestResponse(BaseModel):
    test_execution_id: uuid.UUID
    status: ExecutionStatus
    test_results: TestResults
    validation_results: ValidationResults
    error_code: str | None
    error_message: str | None


class WorkflowReference(BaseModel):
    id: uuid.UUID
    name: str


class ExecutionSummary(BaseModel):
    id: uuid.UUID
    tracking_id: uuid.UUID
    workflow: WorkflowReference
    status: ExecutionStatus
    mode: Literal["live", "test"]
    started_at: datetime | None
    completed_at: datetime | None
    duration_seconds: float | None
    trigger_type: str
    input_data: dict[str, Any]
    output_data: dict[str, Any] | None
    nodes_executed: int
    nodes_success: int
    nodes_failed: int
    execution_path: list[uuid.UUID]
    performed_by: str  # the user's email, or "system" for a trigger
    error_code: str | None
    error_message: str | None
    retry_of: uuid.UUID | None
    retry_from_node: uuid.UUID | None


class NodeExecution(BaseModel):
    node_id: uuid.UUID | None
    node_name: str
    status: str  # completed, failed, running, cancelled
    started_at: datetime | None
    completed_at: datetime | None
    duration_seconds: float | None
    input_data: Any
    output_data: Any
    error_message: str | None


class PerformanceMetrics(BaseModel):
    total_nodes: int
    execution_path_length: int
    average_node_execution_time: float | None  # seconds
    memory_usage_mb: float | None = None
    api_calls_count: int  # runs of http_request and action nodes


class ExecutionDetail(ExecutionSummary):
    execution_details: list[NodeExecution]
    performance_metrics: PerformanceMetrics


class CancelResponse(BaseModel):
    message: str
    execution_id: uuid.UUID
    status: ExecutionStatus
    cancelled_at: datetime
    nodes_completed: int
    nodes_remaining: int


class RetryRequest(Body):
    from_start: bool = False


class RetryResponse(BaseModel):
    message: str
    original_execution_id: uuid.UUID
    new_execution_id: uuid.UUID
    status: ExecutionStatus
    started_at: datetime
    retry_from_node: uuid.UUID | None


class StatisticsSummary(BaseModel):
    executions_total: int
    executions_today: int
    executions_this_week: int
    success_rate: float | None
    average_execution_time_seconds: float | None
    error_rate: float | None
    last_execution_status: str | None
    last_execution_at: datetime | None


class StatisticsPerformance(BaseModel):
    fastest_execution_seconds: float | None
    slowest_execution_seconds: float | None
    average_memory_usage_mb: float | None = None
    peak_memory_usage_mb: float | None = None


class DayUsage(BaseModel):
    date: date
    executions: int
    successes: int
    failures: int


class WorkflowStatistics(BaseModel):
    workflow_id: uuid.UUID
    statistics: StatisticsSummary
    performance: StatisticsPerformance
    usage_by_day: list[DayUsage]


class NodeStatistics(BaseModel):
    """A node's `execution_statistics` (seed 004), over its steps in live executions."""

    executions_count: int
    success_count: int
    failure_count: int
    average_execution_time_ms: float | None
    last_executed: datetime | None
