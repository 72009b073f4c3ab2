"""`/projects/{id}/publish/` and `/projects/{id}/versions/`: publishing freezes the draft
into an immutable, numbered version; every version stays readable."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Request, status

from control_plane.errors import NOT_FOUND, ApiError
from control_plane.foundation.api.deps import Caller, Connection, Origin, Pagination
from control_plane.foundation.permissions import Permission
from control_plane.pagination import Page, fetch_page
from control_plane.studio.models.versions import VersionPublic, VersionSummary
from control_plane.studio.queries import versions as queries
from control_plane.studio.services import publishing
from control_plane.studio.services.access import authorize_project

router = APIRouter(prefix="/projects/{project_id}", tags=["studio versions"])
Number = Annotated[str, Path(pattern=r"^[0-9]{1,9}\.[0-9]{1,9}\.[0-9]{1,9}$")]


@router.post("/publish/", status_code=status.HTTP_201_CREATED)
async def publish(
    project_id: uuid.UUID, caller: Caller, origin: Origin, connection: Connection
) -> VersionPublic:
    """Freeze the draft and the pages into the next version: a destructive change bumps
    the major, an additive or locking one the minor, app-only changes the patch."""
    return await publishing.publish(connection, origin, caller.id, project_id)


@router.get("/versions/")
async def list_versions(
    project_id: uuid.UUID,
    caller: Caller,
    request: Request,
    connection: Connection,
    pagination: Pagination,
) -> Page[VersionSummary]:
    """The project's versions, newest first, with their changes."""
    await authorize_project(connection, caller.id, project_id, Permission.PROJECTS_READ)
    values = {"project": project_id}
    return await fetch_page(connection, request, pagination, queries.OF_PROJECT, values)


@router.get("/versions/{number}/")
async def get_version(
    project_id: uuid.UUID, number: Number, caller: Caller, connection: Connection
) -> VersionPublic:
    await authorize_project(connection, caller.id, project_id, Permission.PROJECTS_READ)
    version = await queries.one(connection, project_id, number)
    if version is None:
        raise ApiError(NOT_FOUND, {"version": "No such version."})
    return version
