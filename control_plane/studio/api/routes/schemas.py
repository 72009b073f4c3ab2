"""`/schemas/`: the tables of projects' drafts, addressed by their stable ids. A body is a
name and the generator's TableSpec keys; problems are named by their spec paths."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, status

from control_plane.foundation.api.deps import Caller, Connection, Origin, Pagination
from control_plane.foundation.permissions import Permission
from control_plane.pagination import Page, fetch_page
from control_plane.studio.models.schemas import SchemaPublic, TableCreate, TableInput, TablePatch
from control_plane.studio.queries import projects
from control_plane.studio.queries import schemas as queries
from control_plane.studio.services import schemas
from control_plane.studio.services.access import authorize_table, project_of_table
from control_plane.studio.services.drafts import Draft

router = APIRouter(prefix="/schemas", tags=["studio schemas"])


@router.get("/")
async def list_schemas(
    caller: Caller,
    request: Request,
    connection: Connection,
    pagination: Pagination,
    project: uuid.UUID | None = None,
) -> Page[SchemaPublic]:
    """The tables of the caller's organisations' projects, in each project's order."""
    values = {"user": caller.id, "project": project}
    page = await fetch_page(connection, request, pagination, queries.OF_MEMBER, values)
    return page.map(schemas.row_public)


@router.post("/", status_code=status.HTTP_201_CREATED)
async def create_schema(
    body: TableCreate, caller: Caller, origin: Origin, connection: Connection
) -> SchemaPublic:
    """Add a table to the project's draft (as `POST /projects/{id}/add_table/`)."""
    return await schemas.add_table(
        connection, origin, caller.id, body.project, body.name, body.spec
    )


@router.get("/{table_id}/")
async def get_schema(table_id: str, caller: Caller, connection: Connection) -> SchemaPublic:
    project_id = await authorize_table(connection, caller.id, table_id, Permission.PROJECTS_READ)
    draft = await projects.draft(connection, project_id)
    return schemas.table_of(Draft(draft.spec), project_id, table_id)


@router.put("/{table_id}/")
async def replace_schema(
    table_id: str, body: TableInput, caller: Caller, origin: Origin, connection: Connection
) -> SchemaPublic:
    """Replace the table; a new `name` renames it. Fields keep their ids by name (or by
    the `id` the server gave them, to rename one)."""
    project_id = await project_of_table(connection, table_id)
    return await schemas.replace_table(
        connection, origin, caller.id, project_id, table_id, body.name, body.spec, partial=False
    )


@router.patch("/{table_id}/")
async def update_schema(
    table_id: str, body: TablePatch, caller: Caller, origin: Origin, connection: Connection
) -> SchemaPublic:
    """Replace the keys given; a new `name` renames the table, keeping its id."""
    project_id = await project_of_table(connection, table_id)
    return await schemas.replace_table(
        connection, origin, caller.id, project_id, table_id, body.name, body.spec, partial=True
    )


@router.delete("/{table_id}/", status_code=status.HTTP_204_NO_CONTENT)
async def delete_schema(
    table_id: str, caller: Caller, origin: Origin, connection: Connection
) -> None:
    project_id = await project_of_table(connection, table_id)
    await schemas.delete_table(connection, origin, caller.id, project_id, table_id)
