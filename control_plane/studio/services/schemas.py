"""Schemas: the tables and fields of a project's draft. Every change builds the whole new
draft and runs the generator's checks on it before anything is written; the server makes
every stable id, and a rename keeps it (the next migration renames, never drops and adds).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

from control_plane.db import Conn
from control_plane.foundation.permissions import Permission
from control_plane.foundation.services.audit import RequestOrigin, record_action
from control_plane.studio.models.schemas import FieldPublic, SchemaPublic
from control_plane.studio.queries import projects
from control_plane.studio.queries.schemas import TableRow
from control_plane.studio.services import bindings, drafts
from control_plane.studio.services.access import NO_PROJECT, NO_TABLE, authorize_project
from control_plane.studio.services.drafts import Draft

Edit = Callable[[Draft], str]


async def edit_draft(
    connection: Conn,
    origin: RequestOrigin,
    user_id: uuid.UUID,
    project_id: uuid.UUID,
    action: str,
    edit: Edit,
    missing: dict[str, str] = NO_PROJECT,
) -> tuple[Draft, str]:
    """Apply `edit` (which answers the id of what it changed) to the project's draft, under
    its row lock, check the result, write it with its audit entry; nothing on a refusal.
    The new draft and the id."""
    async with connection.transaction():
        organization_id = await authorize_project(
            connection, user_id, project_id, Permission.PROJECTS_WRITE, missing
        )
        current = await projects.draft(connection, project_id, lock=True)
        # Checking a large draft costs CPU for a while: not on the event loop.
        draft, object_id = await asyncio.to_thread(_edited, current.spec, edit)
        await bindings.check_kept(connection, project_id, current.spec, draft.document)
        await projects.set_spec(connection, project_id, draft.document)
        await record_action(connection, origin, user_id, organization_id, action, object_id)
        return draft, object_id


def _edited(document: drafts.Document, edit: Edit) -> tuple[Draft, str]:
    draft = Draft(document)
    object_id = edit(draft)
    drafts.checked(draft.document)
    return draft, object_id


def schema_public(project_id: uuid.UUID, name: str, table: dict[str, Any]) -> SchemaPublic:
    spec = {key: value for key, value in table.items() if key != "id"}
    return SchemaPublic(id=table["id"], project=project_id, name=name, **spec)


def row_public(row: TableRow) -> SchemaPublic:
    return schema_public(row.project, row.name, row.table)


def field_public(table_id: str, name: str, field: dict[str, Any]) -> FieldPublic:
    spec = {key: value for key, value in field.items() if key != "id"}
    return FieldPublic(id=field["id"], table=table_id, name=name, **spec)


def table_of(draft: Draft, project_id: uuid.UUID, table_id: str) -> SchemaPublic:
    name = draft.table_named(table_id)
    return schema_public(project_id, name, draft.tables[name])


def field_of(draft: Draft, table_id: str, field_id: str) -> FieldPublic:
    table_name = draft.table_named(table_id)
    name = draft.field_named(table_name, field_id)
    return field_public(table_id, name, draft.tables[table_name]["fields"][name])


async def add_table(
    connection: Conn,
    origin: RequestOrigin,
    user_id: uuid.UUID,
    project_id: uuid.UUID,
    name: str,
    spec: dict[str, Any],
) -> SchemaPublic:
    draft, table_id = await edit_draft(
        connection,
        origin,
        user_id,
        project_id,
        "schema.create",
        lambda draft: draft.add_table(name, spec),
    )
    return table_of(draft, project_id, table_id)


async def replace_table(
    connection: Conn,
    origin: RequestOrigin,
    user_id: uuid.UUID,
    project_id: uuid.UUID,
    table_id: str,
    name: str | None,
    spec: dict[str, Any],
    *,
    partial: bool,
) -> SchemaPublic:
    """Replace the table's keys (`partial`: only those given), renamed when `name` is new."""

    def edit(draft: Draft) -> str:
        current_name = draft.table_named(table_id)
        current = draft.tables[current_name]
        body = {**_without_id(current), **spec} if partial else spec
        draft.replace_table(table_id, name or current_name, body)
        return table_id

    draft, _ = await edit_draft(
        connection, origin, user_id, project_id, "schema.update", edit, NO_TABLE
    )
    return table_of(draft, project_id, table_id)


async def delete_table(
    connection: Conn,
    origin: RequestOrigin,
    user_id: uuid.UUID,
    project_id: uuid.UUID,
    table_id: str,
) -> None:
    def edit(draft: Draft) -> str:
        draft.delete_table(table_id)
        return table_id

    await edit_draft(connection, origin, user_id, project_id, "schema.delete", edit, NO_TABLE)


async def add_field(
    connection: Conn,
    origin: RequestOrigin,
    user_id: uuid.UUID,
    project_id: uuid.UUID,
    table_id: str,
    name: str,
    spec: dict[str, Any],
) -> FieldPublic:
    draft, field_id = await edit_draft(
        connection,
        origin,
        user_id,
        project_id,
        "field.create",
        lambda draft: draft.add_field(table_id, name, spec),
        NO_TABLE,
    )
    return field_of(draft, table_id, field_id)


async def replace_field(
    connection: Conn,
    origin: RequestOrigin,
    user_id: uuid.UUID,
    project_id: uuid.UUID,
    table_id: str,
    field_id: str,
    name: str | None,
    spec: dict[str, Any],
    *,
    partial: bool,
) -> FieldPublic:
    def edit(draft: Draft) -> str:
        table_name = draft.table_named(table_id)
        current_name = draft.field_named(table_name, field_id)
        current = draft.tables[table_name]["fields"][current_name]
        body = {**_without_id(current), **spec} if partial else spec
        draft.replace_field(table_id, field_id, name or current_name, body)
        return field_id

    draft, _ = await edit_draft(
        connection, origin, user_id, project_id, "field.update", edit, NO_TABLE
    )
    return field_of(draft, table_id, field_id)


async def delete_field(
    connection: Conn,
    origin: RequestOrigin,
    user_id: uuid.UUID,
    project_id: uuid.UUID,
    table_id: str,
    field_id: str,
) -> None:
    def edit(draft: Draft) -> str:
        draft.delete_field(table_id, field_id)
        return field_id

    await edit_draft(connection, origin, user_id, project_id, "field.delete", edit, NO_TABLE)


def _without_id(item: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in item.items() if key != "id"}
