"""`/deployment-logs/` (seed 000): the deployments and rollbacks of the caller's
organisations, each a run of the ledger with its steps and log lines; a failed one is
retried as a new run (ADMIN, OWNER)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, status

from control_plane.foundation.api.deps import Caller, Connection, Origin, Pagination
from control_plane.pagination import Page, fetch_page
from control_plane.runs.models import RunStatus
from control_plane.runtime.models.deployments import (
    DeploymentLogDetail,
    DeploymentLogPublic,
    RetryStarted,
)
from control_plane.runtime.models.environments import Environment
from control_plane.runtime.queries import deployments as queries
from control_plane.runtime.services import deployments

router = APIRouter(prefix="/deployment-logs", tags=["deployment-logs"])


@router.get("/")
async def list_deployment_logs(
    caller: Caller,
    request: Request,
    connection: Connection,
    pagination: Pagination,
    app_id: uuid.UUID | None = None,
    status: RunStatus | None = None,
    environment: Environment | None = None,
) -> Page[DeploymentLogPublic]:
    """Newest first."""
    values = {"user": caller.id, "app": app_id, "status": status, "environment": environment}
    page = await fetch_page(connection, request, pagination, queries.OF_MEMBER, values)
    return page.map(deployments.log_public)


@router.get("/{run_id}/")
async def get_deployment_log(
    run_id: uuid.UUID, caller: Caller, connection: Connection
) -> DeploymentLogDetail:
    return await deployments.detail(connection, caller.id, run_id)


@router.post("/{run_id}/retry/", status_code=status.HTTP_202_ACCEPTED)
async def retry_deployment(
    run_id: uuid.UUID, caller: Caller, origin: Origin, connection: Connection
) -> RetryStarted:
    return await deployments.retry(connection, origin, caller.id, run_id)
