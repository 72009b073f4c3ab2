"""Executions (seed 004 "Exécutions", execute, test, "Statistiques Workflow"):
`POST /workflows/{id}/execute/` (202: a job runs it), `/test/` (a dry run, answered when
done), `GET /workflows/{id}/statistics/`, and `/executions/`: the list, one execution,
`/cancel/` and `/retry/`. Every member reads; MEMBER and above run them."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter, Request, status

from control_plane.automation.api.deps import Services
from control_plane.automation.models.common import ExecutionStatus
from control_plane.automation.models.executions import (
    CancelResponse,
    ExecuteRequest,
    ExecutionAccepted,
    ExecutionDetail,
    ExecutionSummary,
    RetryRequest,
    RetryResponse,
    TestRequest,
    TestResponse,
    WorkflowStatistics,
)
from control_plane.automation.services import execution_control, execution_records
from control_plane.foundation.api.deps import Caller, Connection, Origin, Pagination
from control_plane.pagination import Page

router = APIRouter(tags=["automation executions"])


@router.post("/workflows/{workflow_id}/execute/", status_code=status.HTTP_202_ACCEPTED)
async def execute_workflow(
    workflow_id: uuid.UUID,
    body: ExecuteRequest,
    caller: Caller,
    origin: Origin,
    connection: Connection,
    services: Services,
) -> ExecutionAccepted:
    return await execution_control.execute(
        connection, origin, caller.id, workflow_id, body, services
    )


@router.post("/workflows/{workflow_id}/test/")
async def test_workflow(
    workflow_id: uuid.UUID, body: TestRequest, caller: Caller, services: Services
) -> TestResponse:
    """A dry run: nothing is sent or written, delays do not wait."""
    return await execution_control.test(services, caller.id, workflow_id, body)


@router.get("/workflows/{workflow_id}/statistics/")
async def workflow_statistics(
    workflow_id: uuid.UUID, caller: Caller, connection: Connection
) -> WorkflowStatistics:
    return await execution_records.statistics(connection, caller.id, workflow_id)


@router.get("/executions/")
async def list_executions(
    caller: Caller,
    request: Request,
    connection: Connection,
    pagination: Pagination,
    workflow: uuid.UUID | None = None,
    status: ExecutionStatus | None = None,
    date_from: datetime | None = None,
    date_to: datetime | None = None,
) -> Page[ExecutionSummary]:
    """The executions of the caller's organisations, newest first."""
    return await execution_records.listing(
        connection, request, pagination, caller.id, workflow, status, date_from, date_to
    )


@router.get("/executions/{execution_id}/")
async def get_execution(
    execution_id: uuid.UUID, caller: Caller, connection: Connection
) -> ExecutionDetail:
    return await execution_records.detail(connection, caller.id, execution_id)


@router.post("/executions/{execution_id}/cancel/")
async def cancel_execution(
    execution_id: uuid.UUID, caller: Caller, origin: Origin, connection: Connection
) -> CancelResponse:
    return await execution_control.cancel(connection, origin, caller.id, execution_id)


@router.post("/executions/{execution_id}/retry/", status_code=status.HTTP_202_ACCEPTED)
async def retry_execution(
    execution_id: uuid.UUID,
    caller: Caller,
    origin: Origin,
    connection: Connection,
    services: Services,
    body: RetryRequest | None = None,
) -> RetryResponse:
    """A new execution from the failed node (`{"from_start": true}`: from the start)."""
    from_start = body.from_start if body else False
    return await execution_control.retry(
        connection, origin, caller.id, execution_id, from_start, services
    )
