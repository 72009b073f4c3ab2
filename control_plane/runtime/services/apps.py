"""The rules of apps: made from a published version of a project of the caller's
organisation, each write in one transaction with its audit entry, its generation job
enqueued in that same transaction (no app without its job, no job without its app)."""

from __future__ import annotations

import asyncio
import secrets
import uuid
from pathlib import Path

from control_plane.config import Settings, vault_of
from control_plane.db import Conn
from control_plane.errors import CONFLICT, ApiError, ErrorKind
from control_plane.foundation.permissions import Permission, authorize_object
from control_plane.foundation.services.audit import RequestOrigin, record
from control_plane.jobs import JobState, cancel, enqueue, get_job
from control_plane.runtime import paths
from control_plane.runtime.jobs.generation import generate
from control_plane.runtime.models.apps import (
    AppCreate,
    AppCreated,
    AppPublic,
    AppStatus,
    AppUpdate,
    DeploymentInfo,
    ProjectSummary,
    without_password,
)
from control_plane.runtime.models.environments import Environment
from control_plane.runtime.queries import apps, instances, published
from control_plane.runtime.queries.apps import AppRow, AppState
from control_plane.runtime.queries.published import Version
from control_plane.runtime.services import generation, repositories
from deployment.local import remove_local

NOT_PUBLISHED = ErrorKind(400, "PROJECT_NOT_PUBLISHED", "The project has no published version")
NO_SUCH_VERSION = ErrorKind(400, "VERSION_NOT_FOUND", "No such published version")
NO_APP = {"app": "No such app."}
_NO_SUCH_PROJECT = {"project": "No such project."}
_UNFINISHED = (JobState.QUEUED, JobState.RUNNING)


def present(row: AppRow, public_url: str) -> AppPublic:
    deployed = row.instance_url is not None and row.deployed_at is not None
    instance = (row.instance_url or "").rstrip("/")
    return AppPublic(
        id=row.id,
        project=ProjectSummary(
            id=row.project_id,
            name=row.project_name,
            organization_id=row.organization_id,
            organization_name=row.organization_name,
        ),
        name=row.name,
        status=AppStatus(row.status),
        version=row.version,
        latest_version=row.latest_version,
        regeneration_required=row.version is not None and row.latest_version != row.version,
        environment=Environment(row.environment),
        commit=row.commit,
        error_message=row.error_message,
        generation_task_id=row.generation_job_id,
        api_base_url=f"{instance}/api/v1/runtime/projects/{row.project_id}/" if deployed else None,
        admin_url=f"{instance}/admin/" if deployed else None,
        repository_url=repositories.repository_url(public_url, row.id),
        remote_url=row.remote_url,
        deployment_info=(
            DeploymentInfo(
                environment=Environment(row.environment), url=instance, deployed_at=row.deployed_at
            )
            if deployed and row.deployed_at is not None
            else None
        ),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


async def _locked(connection: Conn, user_id: uuid.UUID, app_id: uuid.UUID) -> AppState:
    """The app, locked for a write by a caller with APPS_MANAGE."""
    state = await apps.lock(connection, app_id)
    organization = state.organization_id if state else None
    await authorize_object(connection, user_id, organization, Permission.APPS_MANAGE, NO_APP)
    assert state is not None
    return state


async def published_version(connection: Conn, project_id: uuid.UUID, number: str | None) -> Version:
    version = await published.version(connection, project_id, number)
    if version is not None:
        return version
    if number is None:
        raise ApiError(NOT_PUBLISHED, {"project": "Publish the project first."})
    raise ApiError(NO_SUCH_VERSION, {"version": f"The project has no version {number}."})


async def _read(connection: Conn, app_id: uuid.UUID, public_url: str) -> AppPublic:
    row = await apps.one(connection, app_id)
    assert row is not None
    return present(row, public_url)


async def create(
    connection: Conn, settings: Settings, origin: RequestOrigin, user_id: uuid.UUID, body: AppCreate
) -> AppCreated:
    async with connection.transaction():
        project = await published.project(connection, body.project)
        organization = project.organization_id if project else None
        await authorize_object(
            connection, user_id, organization, Permission.APPS_MANAGE, _NO_SUCH_PROJECT
        )
        assert project is not None  # a missing project was refused
        version = await published_version(connection, project.id, body.version)
        jwt_secret = vault_of(settings).encrypt(secrets.token_urlsafe(48))
        app_id = await apps.insert(
            connection,
            organization_id=project.organization_id,
            project_id=project.id,
            name=body.name,
            environment=body.environment,
            version=version.number,
            jwt_secret=jwt_secret,
            user_id=user_id,
        )
        await _enqueue_generation(connection, project.organization_id, app_id, version, False)
        await record(
            connection,
            origin,
            actor_id=user_id,
            organization_id=project.organization_id,
            action="app.create",
            object_type="app",
            object_id=app_id,
            details={"project": str(project.id), "version": version.number},
        )
        app = await _read(connection, app_id, settings.public_url)
    estimate = generation.estimated_time(version.spec)
    return AppCreated(**app.model_dump(), estimated_generation_time=estimate)


async def _enqueue_generation(
    connection: Conn, organization_id: uuid.UUID, app_id: uuid.UUID, version: Version, force: bool
) -> int:
    payload = {"app_id": str(app_id), "version": version.number, "force": force}
    job_id = await enqueue(connection, generate, payload, organization_id=organization_id)
    await apps.set_generation_job(connection, app_id, job_id)
    return job_id


async def update(
    connection: Conn,
    settings: Settings,
    origin: RequestOrigin,
    user_id: uuid.UUID,
    app_id: uuid.UUID,
    body: AppUpdate,
) -> AppPublic:
    vault = vault_of(settings)
    async with connection.transaction():
        state = await _locked(connection, user_id, app_id)
        set_remote = "remote_url" in body.model_fields_set
        await apps.update(
            connection,
            app_id,
            name=body.name,
            environment=body.environment,
            set_remote=set_remote,
            remote_url=without_password(body.remote_url) if body.remote_url else None,
            remote_secret=vault.encrypt(body.remote_url) if body.remote_url else None,
        )
        changed = sorted(body.model_fields_set)
        await record(
            connection,
            origin,
            actor_id=user_id,
            organization_id=state.organization_id,
            action="app.update",
            object_type="app",
            object_id=app_id,
            details={"fields": changed},
        )
        return await _read(connection, app_id, settings.public_url)


async def delete(
    connection: Conn, data_dir: Path, origin: RequestOrigin, user_id: uuid.UUID, app_id: uuid.UUID
) -> None:
    """The app's rows, then its folder (its repository) and what the local target runs of
    it, once they are gone. (An SSH host keeps its instance: the app is removed there by
    whoever runs the host.)"""
    async with connection.transaction():
        state = await _locked(connection, user_id, app_id)
        if state.generation_job_id is not None:
            await cancel(connection, state.generation_job_id)
        served_here = await instances.local_environments(connection, app_id)
        await apps.delete(connection, app_id)
        await record(
            connection,
            origin,
            actor_id=user_id,
            organization_id=state.organization_id,
            action="app.delete",
            object_type="app",
            object_id=app_id,
        )
    await repositories.remove(data_dir, app_id)
    for environment in served_here:
        instance = paths.instance_name(app_id, environment)
        await asyncio.to_thread(remove_local, paths.local_target_dir(data_dir), instance)


async def _refuse_while_generating(connection: Conn, state: AppState) -> None:
    if state.generation_job_id is None:
        return
    job = await get_job(connection, state.generation_job_id)
    if job is not None and job.state in _UNFINISHED:
        raise ApiError(
            CONFLICT, {"app": f"Generation job {job.id} is {job.state}: wait for it to finish."}
        )


async def regenerate(
    connection: Conn,
    data_dir: Path,
    origin: RequestOrigin,
    user_id: uuid.UUID,
    app_id: uuid.UUID,
    number: str | None,
    force: bool,
) -> tuple[int, str]:
    """Enqueue a generation from version `number` (the newest by default), after the
    checks a regeneration would fail: (its job's id, the version)."""
    async with connection.transaction():
        state = await _locked(connection, user_id, app_id)
        await _refuse_while_generating(connection, state)
        version = await published_version(connection, state.project_id, number)
        if generation.has_generation(data_dir, app_id):
            await generation.refuse_unforced(data_dir, app_id, version.spec, force)
        job_id = await _enqueue_generation(
            connection, state.organization_id, app_id, version, force
        )
        await record(
            connection,
            origin,
            actor_id=user_id,
            organization_id=state.organization_id,
            action="app.regenerate",
            object_type="app",
            object_id=app_id,
            details={"version": version.number, "force": force},
        )
        return job_id, version.number
