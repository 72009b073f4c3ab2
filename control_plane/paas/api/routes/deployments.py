"""Seed 002's deployments: `POST /api/deploy` (202: the `paas.deploy` job does the work),
`GET /api/deployments`, `GET` and `DELETE /api/deployments/{id}`, `GET .../logs`, and
`POST .../stop` and `.../start`. ADMIN and OWNER of the deployment's organisation only."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Body, status

from control_plane.errors import VALIDATION, ApiError
from control_plane.foundation.api.deps import AppSettings, Caller, Connection, Origin
from control_plane.paas.api.deps import Pool
from control_plane.paas.api.errors import SeedErrorRoute
from control_plane.paas.models import (
    DeploymentResponse,
    DeploymentsResponse,
    DeploymentStatus,
    LogsResponse,
)
from control_plane.paas.services import deployments, reports, requests
from control_plane.paas.services.deployments import public

router = APIRouter(tags=["paas"], route_class=SeedErrorRoute)

DEPLOY_EXAMPLE = {
    "name": "mon-application",
    "deployment_type": "lxc",
    "framework": "fastapi",
    "github_url": "https://github.com/username/repository",
    "resources": {"cores": 2, "memory": 2048, "disk": 20},
}


@router.post("/deploy", status_code=status.HTTP_202_ACCEPTED, response_model=DeploymentResponse)
async def deploy(
    body: Annotated[dict[str, Any], Body(examples=[DEPLOY_EXAMPLE])],
    caller: Caller,
    origin: Origin,
    settings: AppSettings,
    connection: Connection,
) -> DeploymentResponse:
    """Deploy a repository (`github_url`, `git_url` under PAAS_SOURCE_ROOTS, or a Runtime
    app's `app_id`) onto a new machine: `pending` until its job runs."""
    request, problems = requests.check(body, settings.paas_source_roots)
    if request is None:
        raise ApiError(VALIDATION, problems)
    row = await deployments.create(connection, settings, origin, caller.id, request)
    return DeploymentResponse(message="Deployment started", deployment=public(row))


@router.get("/deployments", response_model=DeploymentsResponse)
async def list_deployments(
    caller: Caller,
    connection: Connection,
    organization_id: uuid.UUID | None = None,
    status: DeploymentStatus | None = None,
) -> DeploymentsResponse:
    """The deployments of the organisations the caller manages (or the one given), the
    newest first, deleted ones included (filter with `status`)."""
    rows = await deployments.listed(connection, caller.id, organization_id, status)
    return DeploymentsResponse(count=len(rows), deployments=[public(row) for row in rows])


@router.get("/deployments/{deployment_id}", response_model=DeploymentResponse)
async def read_deployment(
    deployment_id: uuid.UUID, caller: Caller, connection: Connection
) -> DeploymentResponse:
    row = await deployments.one(connection, caller.id, deployment_id)
    return DeploymentResponse(deployment=public(row))


@router.delete("/deployments/{deployment_id}", response_model=DeploymentResponse)
async def delete_deployment(
    deployment_id: uuid.UUID,
    caller: Caller,
    origin: Origin,
    settings: AppSettings,
    connection: Connection,
    pool: Pool,
) -> DeploymentResponse:
    """Destroy the machine and everything on it; the deployment stays, `deleted`. 409
    while it is being deployed."""
    row = await deployments.delete(connection, pool, settings, origin, caller.id, deployment_id)
    return DeploymentResponse(message="Deployment deleted successfully", deployment=public(row))


@router.post("/deployments/{deployment_id}/stop", response_model=DeploymentResponse)
async def stop_deployment(
    deployment_id: uuid.UUID,
    caller: Caller,
    origin: Origin,
    settings: AppSettings,
    connection: Connection,
) -> DeploymentResponse:
    """Stop a running deployment's machine: `stopped`."""
    row = await deployments.stop(connection, settings, origin, caller.id, deployment_id)
    return DeploymentResponse(message="Deployment stopped", deployment=public(row))


@router.post("/deployments/{deployment_id}/start", response_model=DeploymentResponse)
async def start_deployment(
    deployment_id: uuid.UUID,
    caller: Caller,
    origin: Origin,
    settings: AppSettings,
    connection: Connection,
) -> DeploymentResponse:
    """Start a stopped deployment's machine: `running` again."""
    row = await deployments.start(connection, settings, origin, caller.id, deployment_id)
    return DeploymentResponse(message="Deployment started", deployment=public(row))


@router.get("/deployments/{deployment_id}/logs", response_model=LogsResponse)
async def deployment_logs(
    deployment_id: uuid.UUID, caller: Caller, connection: Connection
) -> LogsResponse:
    """Every run of the deployment (its deployment, its deletion): as text, and as steps."""
    row = await deployments.one(connection, caller.id, deployment_id)
    return await reports.logs(connection, row.id)
