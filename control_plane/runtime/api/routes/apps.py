"""`/apps/` (seed 000, "Applications Générées"): list, create (which enqueues the
generation), read, update, delete; `/apps/{id}/plan/` and `/apps/{id}/regenerate/`."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, status

from control_plane.foundation.api.deps import AppSettings, Caller, Connection, Origin, Pagination
from control_plane.foundation.permissions import Permission, authorize_object
from control_plane.pagination import Page, fetch_page
from control_plane.runtime.models.apps import (
    VERSION_PATTERN,
    AppCreate,
    AppCreated,
    AppPlan,
    AppPublic,
    AppRegenerate,
    AppStatus,
    AppUpdate,
    RegenerationStarted,
)
from control_plane.runtime.queries import apps as queries
from control_plane.runtime.services import apps, generation

router = APIRouter(prefix="/apps", tags=["apps"])


@router.get("/")
async def list_apps(
    caller: Caller,
    request: Request,
    connection: Connection,
    pagination: Pagination,
    settings: AppSettings,
    organization: uuid.UUID | None = None,
    project: uuid.UUID | None = None,
    status: AppStatus | None = None,
) -> Page[AppPublic]:
    """The apps of the caller's organisations, newest first."""
    values = {"user": caller.id, "organization": organization, "project": project, "status": status}
    page = await fetch_page(connection, request, pagination, queries.OF_MEMBER, values)
    return page.map(lambda row: apps.present(row, settings.public_url))


@router.post("/", status_code=status.HTTP_201_CREATED)
async def create_app(
    body: AppCreate, caller: Caller, origin: Origin, connection: Connection, settings: AppSettings
) -> AppCreated:
    """Make an app from a published version (the newest by default); its generation runs
    as the job `generation_task_id`."""
    return await apps.create(connection, settings, origin, caller.id, body)


@router.get("/{app_id}/")
async def read_app(
    app_id: uuid.UUID, caller: Caller, connection: Connection, settings: AppSettings
) -> AppPublic:
    organization = await queries.organization_of(connection, app_id)
    await authorize_object(connection, caller.id, organization, Permission.APPS_READ, apps.NO_APP)
    row = await queries.one(connection, app_id)
    assert row is not None
    return apps.present(row, settings.public_url)


@router.put("/{app_id}/")
async def update_app(
    app_id: uuid.UUID,
    body: AppUpdate,
    caller: Caller,
    origin: Origin,
    connection: Connection,
    settings: AppSettings,
) -> AppPublic:
    """Rename, move to another environment, set or remove the remote (`null`)."""
    return await apps.update(connection, settings, origin, caller.id, app_id, body)


@router.delete("/{app_id}/", status_code=status.HTTP_204_NO_CONTENT)
async def delete_app(
    app_id: uuid.UUID, caller: Caller, origin: Origin, connection: Connection, settings: AppSettings
) -> None:
    await apps.delete(connection, settings.data_dir, origin, caller.id, app_id)


@router.get("/{app_id}/plan/")
async def plan_regeneration(
    app_id: uuid.UUID,
    caller: Caller,
    connection: Connection,
    settings: AppSettings,
    version: Annotated[str | None, Query(pattern=VERSION_PATTERN)] = None,
) -> AppPlan:
    """What regenerating from `version` (the newest by default) would change, and the
    migration it would write; nothing runs."""
    organization = await queries.organization_of(connection, app_id)
    await authorize_object(connection, caller.id, organization, Permission.APPS_READ, apps.NO_APP)
    row = await queries.one(connection, app_id)
    assert row is not None
    target = await apps.published_version(connection, row.project_id, version)
    return await generation.plan(settings.data_dir, app_id, target.spec)


@router.post("/{app_id}/regenerate/", status_code=status.HTTP_202_ACCEPTED)
async def regenerate_app(
    app_id: uuid.UUID,
    body: AppRegenerate,
    caller: Caller,
    origin: Origin,
    connection: Connection,
    settings: AppSettings,
) -> RegenerationStarted:
    """Regenerate from `version` (the newest by default); changes losing data need
    `"force": true`."""
    job_id, number = await apps.regenerate(
        connection, settings.data_dir, origin, caller.id, app_id, body.version, body.force
    )
    return RegenerationStarted(app_id=app_id, generation_task_id=job_id, version=number)
