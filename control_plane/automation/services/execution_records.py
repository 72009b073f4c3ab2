"""Executions read back (every member of the organisation, AUTOMATION_READ): the list,
one execution node by node, and the statistics of a workflow and of a node."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import Request

from control_plane.automation.models.common import ExecutionStatus
from control_plane.automation.models.executions import (
    DayUsage,
    ExecutionDetail,
    ExecutionSummary,
    NodeExecution,
    NodeStatistics,
    PerformanceMetrics,
    StatisticsPerformance,
    StatisticsSummary,
    WorkflowReference,
    WorkflowStatistics,
)
from control_plane.automation.node_types import NodeType
from control_plane.automation.queries import execution_records, executions
from control_plane.automation.queries.execution_records import ExecutionRecord, StepRecord
from control_plane.automation.services.access import authorize_workflow
from control_plane.db import Conn
from control_plane.foundation.models import Role
from control_plane.foundation.permissions import Permission, allowed, authorize_object
from control_plane.pagination import Page, PageParams, fetch_page
from control_plane.runs.models import RunStatus

NO_EXECUTION = {"execution": "No such execution."}
USAGE_DAYS = 30
CALLING_TYPES = frozenset({NodeType.HTTP_REQUEST, NodeType.ACTION})
STEP_STATUS = {"success": "completed"}
READERS = [role for role in Role if allowed(role, Permission.AUTOMATION_READ)]


def _seconds(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return round((end - start).total_seconds(), 3)


def summary(record: ExecutionRecord) -> ExecutionSummary:
    return ExecutionSummary(
        id=record.id,
        tracking_id=record.id,
        workflow=WorkflowReference(id=record.workflow_id, name=record.workflow_name),
        status=ExecutionStatus.of_run(RunStatus(record.run_status)),
        mode=record.mode,  # type: ignore[arg-type]  # the CHECK constraint's two values
        started_at=record.started_at,
        completed_at=record.completed_at,
        duration_seconds=_seconds(record.started_at, record.completed_at),
        trigger_type=record.trigger_type,
        input_data=record.input_data,
        output_data=record.output_data,
        nodes_executed=record.nodes_success + record.nodes_failed,
        nodes_success=record.nodes_success,
        nodes_failed=record.nodes_failed,
        execution_path=[uuid.UUID(node) for node in record.execution_path],
        performed_by=record.performed_by or "system",
        error_code=record.error_code,
        error_message=record.error_message,
        retry_of=record.retry_of,
        retry_from_node=record.retry_from_node,
    )


async def listing(
    connection: Conn,
    request: Request,
    params: PageParams,
    user_id: uuid.UUID,
    workflow: uuid.UUID | None,
    status: ExecutionStatus | None,
    date_from: datetime | None,
    date_to: datetime | None,
) -> Page[ExecutionSummary]:
    """The executions of the caller's organisations, newest first."""
    statuses = (
        None
        if status is None
        else [str(run) for run in RunStatus if ExecutionStatus.of_run(run) is status]
    )
    values = {
        "user": user_id, "roles": [str(role) for role in READERS], "workflow": workflow,
        "statuses": statuses, "date_from": date_from, "date_to": date_to,
    }  # fmt: skip
    page = await fetch_page(connection, request, params, execution_records.OF_MEMBER, values)
    return page.map(summary)


async def authorized(
    connection: Conn, user_id: uuid.UUID, run_id: uuid.UUID, permission: Permission
) -> ExecutionRecord:
    """The execution, if the caller's role in its organisation grants `permission`."""
    record = await execution_records.one(connection, run_id)
    organization_id = record.organization_id if record else None
    await authorize_object(connection, user_id, organization_id, permission, NO_EXECUTION)
    assert record is not None
    return record


def _node_execution(step: StepRecord) -> NodeExecution:
    failed = step.status == "failed"
    return NodeExecution(
        node_id=step.node_id,
        node_name=step.name,
        status=STEP_STATUS.get(step.status, step.status),
        started_at=step.started_at,
        completed_at=step.completed_at,
        duration_seconds=_seconds(step.started_at, step.completed_at),
        input_data=step.input,
        output_data=step.output,
        error_message=step.details if failed else None,
    )


async def detail(connection: Conn, user_id: uuid.UUID, run_id: uuid.UUID) -> ExecutionDetail:
    record = await authorized(connection, user_id, run_id, Permission.AUTOMATION_READ)
    steps = await execution_records.steps(connection, run_id)
    node_types = await executions.node_types(connection, record.workflow_id)
    durations = [
        d for d in (_seconds(s.started_at, s.completed_at) for s in steps) if d is not None
    ]
    calls = sum(1 for s in steps if s.node_id and node_types.get(s.node_id) in CALLING_TYPES)
    metrics = PerformanceMetrics(
        total_nodes=len(node_types),
        execution_path_length=len(record.execution_path),
        average_node_execution_time=round(sum(durations) / len(durations), 3)
        if durations
        else None,
        api_calls_count=calls,
    )
    return ExecutionDetail(
        **summary(record).model_dump(),
        execution_details=[_node_execution(step) for step in steps],
        performance_metrics=metrics,
    )


async def statistics(
    connection: Conn, user_id: uuid.UUID, workflow_id: uuid.UUID
) -> WorkflowStatistics:
    """Seed 004's "Statistiques Workflow" of the live executions (dry runs left out)."""
    await authorize_workflow(connection, user_id, workflow_id, Permission.AUTOMATION_READ)
    return WorkflowStatistics(
        workflow_id=workflow_id,
        statistics=await statistics_summary(connection, workflow_id),
        performance=await _performance(connection, workflow_id),
        usage_by_day=[
            DayUsage(
                date=d.date, executions=d.executions, successes=d.successes, failures=d.failures
            )
            for d in await execution_records.by_day(connection, workflow_id, USAGE_DAYS)
        ],  # fmt: skip
    )


async def _performance(connection: Conn, workflow_id: uuid.UUID) -> StatisticsPerformance:
    totals = await execution_records.totals(connection, workflow_id)
    return StatisticsPerformance(
        fastest_execution_seconds=totals.fastest_seconds,
        slowest_execution_seconds=totals.slowest_seconds,
    )


async def statistics_summary(connection: Conn, workflow_id: uuid.UUID) -> StatisticsSummary:
    """The `statistics` of a workflow (its GET shows them too)."""
    totals = await execution_records.totals(connection, workflow_id)
    last = await execution_records.last(connection, workflow_id)
    finished = totals.successes + totals.failures
    return StatisticsSummary(
        executions_total=totals.executions_total,
        executions_today=totals.executions_today,
        executions_this_week=totals.executions_this_week,
        success_rate=round(totals.successes / finished, 4) if finished else None,
        average_execution_time_seconds=totals.average_seconds,
        error_rate=round(totals.failures / finished, 4) if finished else None,
        last_execution_status=last.status if last else None,
        last_execution_at=last.created_at if last else None,
    )


async def node_statistics(connection: Conn, node_id: uuid.UUID) -> NodeStatistics:
    totals = await execution_records.node_totals(connection, node_id)
    return NodeStatistics(
        executions_count=totals.executions_count,
        success_count=totals.success_count,
        failure_count=totals.failure_count,
        average_execution_time_ms=totals.average_execution_time_ms,
        last_executed=totals.last_executed,
    )
