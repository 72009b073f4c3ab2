"""`/schemas/{table_id}/fields/`: the fields of a table, by their stable ids. A body is a
name and the generator's FieldSpec keys (seed 000's); renaming keeps the id."""

from __future__ import annotations

from fastapi import APIRouter, status

from control_plane.foundation.api.deps import Caller, Connection, Origin
from control_plane.foundation.permissions import Permission
from control_plane.studio.models.schemas import FieldInput, FieldPatch, FieldPublic
from control_plane.studio.queries import projects
from control_plane.studio.services import schemas
from control_plane.studio.services.access import authorize_table, project_of_table
from control_plane.studio.services.drafts import Draft

router = APIRouter(prefix="/schemas/{table_id}/fields", tags=["studio schemas"])


@router.get("/")
async def list_fields(table_id: str, caller: Caller, connection: Connection) -> list[FieldPublic]:
    """The table's fields, in order (at most 50: not paginated)."""
    project_id = await authorize_table(connection, caller.id, table_id, Permission.PROJECTS_READ)
    draft = Draft((await projects.draft(connection, project_id)).spec)
    fields = draft.tables[draft.table_named(table_id)]["fields"]
    return [schemas.field_public(table_id, name, field) for name, field in fields.items()]


@router.post("/", status_code=status.HTTP_201_CREATED)
async def create_field(
    table_id: str, body: FieldInput, caller: Caller, origin: Origin, connection: Connection
) -> FieldPublic:
    project_id = await project_of_table(connection, table_id)
    return await schemas.add_field(
        connection, origin, caller.id, project_id, table_id, body.name, body.spec
    )


@router.get("/{field_id}/")
async def get_field(
    table_id: str, field_id: str, caller: Caller, connection: Connection
) -> FieldPublic:
    project_id = await authorize_table(connection, caller.id, table_id, Permission.PROJECTS_READ)
    draft = Draft((await projects.draft(connection, project_id)).spec)
    return schemas.field_of(draft, table_id, field_id)


@router.put("/{field_id}/")
async def replace_field(
    table_id: str,
    field_id: str,
    body: FieldInput,
    caller: Caller,
    origin: Origin,
    connection: Connection,
) -> FieldPublic:
    """Replace the field; a new `name` renames it (the next migration renames the column)."""
    project_id = await project_of_table(connection, table_id)
    return await schemas.replace_field(
        connection,
        origin,
        caller.id,
        project_id,
        table_id,
        field_id,
        body.name,
        body.spec,
        partial=False,
    )


@router.patch("/{field_id}/")
async def update_field(
    table_id: str,
    field_id: str,
    body: FieldPatch,
    caller: Caller,
    origin: Origin,
    connection: Connection,
) -> FieldPublic:
    """Replace the keys given; a new `name` renames the field, keeping its id."""
    project_id = await project_of_table(connection, table_id)
    return await schemas.replace_field(
        connection,
        origin,
        caller.id,
        project_id,
        table_id,
        field_id,
        body.name,
        body.spec,
        partial=True,
    )


@router.delete("/{field_id}/", status_code=status.HTTP_204_NO_CONTENT)
async def delete_field(
    table_id: str, field_id: str, caller: Caller, origin: Origin, connection: Connection
) -> None:
    project_id = await project_of_table(connection, table_id)
    await schemas.delete_field(connection, origin, caller.id, project_id, table_id, field_id)
