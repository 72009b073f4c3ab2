"""Deployments of seed 002, ADMIN's and OWNER's: a new one is a row, a run of the ledger
and its `paas.deploy` job, written in one transaction with the audit entry; stop, start and
delete act on the machine at once (delete in a run of its own), the row locked meanwhile.
Another organisation's deployment is one that does not exist."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from control_plane.config import Settings
from control_plane.db import Conn
from control_plane.errors import CONFLICT, PERMISSION_DENIED, VALIDATION, ApiError, ErrorKind
from control_plane.foundation.models import Role
from control_plane.foundation.permissions import Permission, allowed, authorize, authorize_object
from control_plane.foundation.services.audit import RequestOrigin, record
from control_plane.jobs import enqueue
from control_plane.paas.jobs.deploy import deploy as deploy_job
from control_plane.paas.models import (
    DeploymentPublic,
    DeploymentStatus,
    ResourcesPublic,
    SourceKind,
)
from control_plane.paas.queries import deployments, organizations
from control_plane.paas.queries.deployments import Deployment
from control_plane.paas.services import machines, sources
from control_plane.paas.services.requests import DeployRequest
from control_plane.runs.models import RunKind, RunStatus
from control_plane.runs.services import ledger
from control_plane.runs.services.deployment_events import LedgerListener
from control_plane.runtime.queries.deployments import app as runtime_app
from deployment.errors import DeployError

Pool = AsyncConnectionPool[AsyncConnection[Any]]
DEPLOYMENT_NOT_FOUND = ErrorKind(404, "NOT_FOUND", "Deployment not found")
MACHINE_FAILED = ErrorKind(502, "MACHINE_ERROR", "The machine did not do what was asked")
NO_DEPLOYMENT = {"deployment": "Deployment not found"}
MANAGERS = [role.value for role in Role if allowed(role, Permission.PAAS_MANAGE)]


def public(row: Deployment) -> DeploymentPublic:
    return DeploymentPublic(
        id=row.id,
        organization_id=row.organization_id,
        name=row.name,
        deployment_type=row.deployment_type,
        framework=row.framework,
        github_url=row.source if row.source_kind is SourceKind.GITHUB else None,
        git_url=row.source if row.source_kind is SourceKind.GIT else None,
        app_id=row.app_id,
        commit=row.commit,
        resources=ResourcesPublic(cores=row.cores, memory=row.memory, disk=row.disk),
        status=row.status,
        created_at=row.created_at,
        deployed_at=row.deployed_at,
        ip_address=str(row.ip_address) if row.ip_address is not None else None,
        vm_id=row.vm_id,
        error_message=row.error_message,
        access_url=row.access_url,
    )


async def organization_of(
    connection: Conn, user_id: uuid.UUID, asked: uuid.UUID | None
) -> uuid.UUID:
    """The organisation a request is for: the one asked (if the caller manages its
    deployments), else the only one the caller manages."""
    if asked is not None:
        await authorize(connection, user_id, asked, Permission.PAAS_MANAGE)
        return asked
    managed = await organizations.managed(connection, user_id, MANAGERS)
    if not managed:
        only = "only an ADMIN or OWNER of an organization deploys"
        raise ApiError(PERMISSION_DENIED, {"organization_id": only})
    if len(managed) > 1:
        several = "Required: you manage the deployments of several organizations"
        raise ApiError(VALIDATION, {"organization_id": several})
    return managed[0]


async def _check_app(connection: Conn, request: DeployRequest, organization_id: uuid.UUID) -> None:
    if request.app_id is None:
        return
    app = await runtime_app(connection, request.app_id)
    if app is None or app.organization_id != organization_id:
        raise ApiError(VALIDATION, {"app_id": "Invalid app_id: no such app in the organization"})
    if app.commit is None:
        raise ApiError(VALIDATION, {"app_id": "Invalid app_id: the app was never generated"})


async def create(
    connection: Conn,
    settings: Settings,
    origin: RequestOrigin,
    user_id: uuid.UUID,
    request: DeployRequest,
) -> Deployment:
    """The deployment, `pending`, with its run and job."""
    async with connection.transaction():
        organization_id = await organization_of(connection, user_id, request.organization_id)
        await _check_app(connection, request, organization_id)
        row = await deployments.insert(
            connection, request.of(organization_id), settings.paas_machine_prefix, user_id
        )
        run_id = await ledger.create_run(
            connection, organization_id, RunKind.PAAS_DEPLOYMENT, performed_by=user_id,
            details={"deployment": str(row.id)},
        )  # fmt: skip
        await deployments.add_run(connection, row.id, run_id)
        payload = {"deployment_id": str(row.id), "run_id": str(run_id)}
        job_id = await enqueue(connection, deploy_job, payload, organization_id=organization_id)
        await ledger.attach_job(connection, run_id, job_id)
        await _audit(connection, origin, user_id, row, "paas_deployment.create")
        return row


async def _audit(
    connection: Conn, origin: RequestOrigin, user_id: uuid.UUID, row: Deployment, action: str
) -> None:
    await record(
        connection,
        origin,
        actor_id=user_id,
        organization_id=row.organization_id,
        action=action,
        object_type="paas_deployment",
        object_id=row.id,
        details={"name": row.name, "machine": row.machine_name},
    )


async def one(connection: Conn, user_id: uuid.UUID, deployment_id: uuid.UUID) -> Deployment:
    row = await deployments.one(connection, deployment_id)
    await _authorize(connection, user_id, row)
    assert row is not None
    return row


async def _authorize(connection: Conn, user_id: uuid.UUID, row: Deployment | None) -> None:
    organization_id = row.organization_id if row else None
    await authorize_object(
        connection, user_id, organization_id, Permission.PAAS_MANAGE, NO_DEPLOYMENT,
        DEPLOYMENT_NOT_FOUND,
    )  # fmt: skip


async def _locked(connection: Conn, user_id: uuid.UUID, deployment_id: uuid.UUID) -> Deployment:
    row = await deployments.lock(connection, deployment_id)
    await _authorize(connection, user_id, row)
    assert row is not None
    return row


async def listed(
    connection: Conn,
    user_id: uuid.UUID,
    organization_id: uuid.UUID | None,
    status: DeploymentStatus | None,
) -> list[Deployment]:
    if organization_id is not None:
        await authorize(connection, user_id, organization_id, Permission.PAAS_MANAGE)
    return await deployments.of_managed(connection, user_id, MANAGERS, organization_id, status)


def _refuse(row: Deployment, action: str, allowed_from: str) -> ApiError:
    return ApiError(
        CONFLICT,
        {"status": f"Cannot {action} a deployment that is {row.status.value}: "
                   f"only a {allowed_from} one"},
    )  # fmt: skip


async def stop(
    connection: Conn, settings: Settings, origin: RequestOrigin, user_id: uuid.UUID,
    deployment_id: uuid.UUID,
) -> Deployment:  # fmt: skip
    """Stop a running deployment's machine: `stopped`."""
    return await _switch(connection, settings, origin, user_id, deployment_id, "stop")


async def start(
    connection: Conn, settings: Settings, origin: RequestOrigin, user_id: uuid.UUID,
    deployment_id: uuid.UUID,
) -> Deployment:  # fmt: skip
    """Start a stopped deployment's machine again: `running` (the app starts with it)."""
    return await _switch(connection, settings, origin, user_id, deployment_id, "start")


async def _switch(
    connection: Conn, settings: Settings, origin: RequestOrigin, user_id: uuid.UUID,
    deployment_id: uuid.UUID, action: str,
) -> Deployment:  # fmt: skip
    before, after = (
        (DeploymentStatus.RUNNING, DeploymentStatus.STOPPED)
        if action == "stop"
        else (DeploymentStatus.STOPPED, DeploymentStatus.RUNNING)
    )
    async with connection.transaction():
        row = await _locked(connection, user_id, deployment_id)
        if row.status is not before:
            raise _refuse(row, action, before.value)
        provider = machines.provider(settings, row.deployment_type)
        operation = provider.stop if action == "stop" else provider.start
        try:
            await asyncio.to_thread(operation, row.machine_name)
            if action == "start":
                await machines.start_apps(settings, row)
        except DeployError as error:
            raise ApiError(MACHINE_FAILED, {"machine": str(error)}) from None
        await deployments.set_status(connection, row.id, after)
        await _audit(connection, origin, user_id, row, f"paas_deployment.{action}")
    return await one(connection, user_id, deployment_id)


async def _destroy(pool: Pool, settings: Settings, row: Deployment, run_id: uuid.UUID) -> None:
    """Destroy the deployment's machine, if it has one: it holds an address from its
    provisioning until it is destroyed."""
    if not row.address_held:
        async with pool.connection() as connection:
            await ledger.log(connection, run_id, f"{row.machine_name}: no machine to destroy")
        return
    provider = machines.provider(settings, row.deployment_type)
    await asyncio.to_thread(provider.destroy, row.machine_name, LedgerListener(pool, run_id))


async def delete(
    connection: Conn, pool: Pool, settings: Settings, origin: RequestOrigin,
    user_id: uuid.UUID, deployment_id: uuid.UUID,
) -> Deployment:  # fmt: skip
    """Destroy the machine (a run of its own) and mark the deployment `deleted`; refused
    while the deployment job runs. Deleting a deleted deployment changes nothing."""
    async with connection.transaction():
        row = await _locked(connection, user_id, deployment_id)
        if row.status.in_progress:
            raise ApiError(
                CONFLICT,
                {"status": f"Deployment is {row.status.value}: wait until it is running "
                           "or failed, then delete it"},
            )  # fmt: skip
        if row.status is DeploymentStatus.DELETED:
            return row
        async with pool.connection() as own:  # the run is kept whatever happens below
            run_id = await ledger.create_run(
                own, row.organization_id, RunKind.PAAS_DELETION, performed_by=user_id,
                details={"deployment": str(row.id)},
            )  # fmt: skip
            await deployments.add_run(own, row.id, run_id)
            await ledger.start_run(own, run_id)
        try:
            await _destroy(pool, settings, row, run_id)
        except DeployError as error:
            async with pool.connection() as own:
                await ledger.finish_run(
                    own, run_id, RunStatus.FAILED, error_code=error.code, error_message=str(error)
                )
            raise ApiError(MACHINE_FAILED, {"machine": str(error)}) from None
        await asyncio.to_thread(sources.remove, settings, row.id)
        machines.known_hosts(settings, row.id).unlink(missing_ok=True)
        await deployments.set_deleted(connection, row.id)
        await _audit(connection, origin, user_id, row, "paas_deployment.delete")
        await ledger.finish_run(connection, run_id, RunStatus.SUCCESS)
    return await one(connection, user_id, deployment_id)
