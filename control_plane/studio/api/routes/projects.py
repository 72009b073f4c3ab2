"""`/projects/`: the projects of the caller's organisations (MEMBER and above write them).
Another organisation's project answers 404, exactly as a missing one."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, status

from control_plane.foundation.api.deps import Caller, Connection, Origin, Pagination
from control_plane.foundation.permissions import Permission
from control_plane.pagination import Page, fetch_page
from control_plane.studio.models.projects import (
    ProjectCreate,
    ProjectPublic,
    ProjectReplace,
    ProjectStatus,
    ProjectUpdate,
)
from control_plane.studio.models.schemas import SchemaPublic, TableInput
from control_plane.studio.queries import projects as queries
from control_plane.studio.services import projects, schemas
from control_plane.studio.services.access import authorize_project

router = APIRouter(prefix="/projects", tags=["studio projects"])


@router.get("/")
async def list_projects(
    caller: Caller,
    request: Request,
    connection: Connection,
    pagination: Pagination,
    organization: uuid.UUID | None = None,
    status: ProjectStatus | None = None,
) -> Page[ProjectPublic]:
    """The projects of the caller's organisations, newest first."""
    values = {"user": caller.id, "organization": organization, "status": status}
    return await fetch_page(connection, request, pagination, queries.OF_MEMBER, values)


@router.post("/", status_code=status.HTTP_201_CREATED)
async def create_project(
    body: ProjectCreate, caller: Caller, origin: Origin, connection: Connection
) -> ProjectPublic:
    """A draft project with no table yet (within the plan's number of projects)."""
    return await projects.create(
        connection, origin, caller.id, body.organization_id, body.name, body.description
    )


@router.get("/{project_id}/")
async def get_project(
    project_id: uuid.UUID, caller: Caller, connection: Connection
) -> ProjectPublic:
    await authorize_project(connection, caller.id, project_id, Permission.PROJECTS_READ)
    return await projects.public(connection, project_id)


@router.put("/{project_id}/")
async def replace_project(
    project_id: uuid.UUID,
    body: ProjectReplace,
    caller: Caller,
    origin: Origin,
    connection: Connection,
) -> ProjectPublic:
    return await projects.update(connection, origin, caller.id, project_id, body.model_dump())


@router.patch("/{project_id}/")
async def update_project(
    project_id: uuid.UUID,
    body: ProjectUpdate,
    caller: Caller,
    origin: Origin,
    connection: Connection,
) -> ProjectPublic:
    changes = body.model_dump(exclude_unset=True)
    return await projects.update(connection, origin, caller.id, project_id, changes)


@router.delete("/{project_id}/", status_code=status.HTTP_204_NO_CONTENT)
async def delete_project(
    project_id: uuid.UUID, caller: Caller, origin: Origin, connection: Connection
) -> None:
    """Delete the project with its versions, pages and components."""
    await projects.delete(connection, origin, caller.id, project_id)


@router.post("/{project_id}/add_table/", status_code=status.HTTP_201_CREATED)
async def add_table(
    project_id: uuid.UUID, body: TableInput, caller: Caller, origin: Origin, connection: Connection
) -> SchemaPublic:
    """Add a table to the draft: `name` and a generator TableSpec (seed 003). The server
    makes the stable ids; the whole new draft must pass the generator's checks."""
    return await schemas.add_table(connection, origin, caller.id, project_id, body.name, body.spec)
