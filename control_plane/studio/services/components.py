"""Components of a page: a type, bindings checked against the project's draft, options
checked against the type's shape (`models.pages.OPTIONS`)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from control_plane.db import Conn
from control_plane.errors import NOT_FOUND, VALIDATION, ApiError
from control_plane.foundation.permissions import Permission
from control_plane.foundation.services.audit import RequestOrigin, record_action
from control_plane.studio.models.pages import (
    OPTIONS,
    ComponentCreate,
    ComponentPublic,
    ComponentType,
    ComponentUpdate,
)
from control_plane.studio.queries import components, projects
from control_plane.studio.queries.components import ComponentRow
from control_plane.studio.services import bindings
from control_plane.studio.services.access import authorize_project
from control_plane.studio.services.pages import authorize_page

NO_COMPONENT = {"component": "No such component."}


async def authorize_component(
    connection: Conn, user_id: uuid.UUID, component_id: uuid.UUID, permission: Permission
) -> tuple[ComponentRow, uuid.UUID]:
    """The component and its organisation, if the caller may `permission` it; 404 alike."""
    component = await components.one(connection, component_id)
    if component is None:
        raise ApiError(NOT_FOUND, NO_COMPONENT)
    organization_id = await authorize_project(
        connection, user_id, component.project, permission, NO_COMPONENT
    )
    return component, organization_id


def checked_options(kind: ComponentType, options: dict[str, Any]) -> dict[str, Any]:
    try:
        return OPTIONS[kind].model_validate(options).model_dump(mode="json")
    except ValidationError as error:
        details = {
            ".".join(["options", *(str(part) for part in problem["loc"])]): problem["msg"]
            for problem in error.errors()
        }
        raise ApiError(VALIDATION, details) from None


async def create(
    connection: Conn, origin: RequestOrigin, user_id: uuid.UUID, body: ComponentCreate
) -> ComponentPublic:
    async with connection.transaction():
        project_id, organization_id = await authorize_page(
            connection, user_id, body.page, Permission.PROJECTS_WRITE
        )
        position = body.position
        if position is None:
            position = await components.next_position(connection, body.page)
        now = datetime.now(UTC)
        row = ComponentRow(
            uuid.uuid4(),
            body.page,
            project_id,
            "",
            body.type,
            position,
            body.table_id,
            body.field_ids,
            body.options,
            now,
            now,
        )
        saved = await _save(connection, row, new=True)
        await record_action(
            connection, origin, user_id, organization_id, "component.create", row.id
        )
        return saved


async def update(
    connection: Conn,
    origin: RequestOrigin,
    user_id: uuid.UUID,
    component_id: uuid.UUID,
    body: ComponentUpdate,
) -> ComponentPublic:
    """Change the keys given; the result is checked whole (type, bindings, options)."""
    async with connection.transaction():
        current, organization_id = await authorize_component(
            connection, user_id, component_id, Permission.PROJECTS_WRITE
        )
        changes = body.model_dump(exclude_unset=True)
        if changes.get("type", current.type) != current.type and "options" not in changes:
            changes["options"] = {}  # another type: its own options, from their defaults
        changes = {
            key: value for key, value in changes.items() if value is not None or key == "table_id"
        }
        saved = await _save(connection, replace(current, **changes), new=False)
        await record_action(
            connection,
            origin,
            user_id,
            organization_id,
            "component.update",
            component_id,
            {"fields": sorted(changes)},
        )
        return saved


async def delete(
    connection: Conn, origin: RequestOrigin, user_id: uuid.UUID, component_id: uuid.UUID
) -> None:
    async with connection.transaction():
        _, organization_id = await authorize_component(
            connection, user_id, component_id, Permission.PROJECTS_WRITE
        )
        await components.delete(connection, component_id)
        await record_action(
            connection, origin, user_id, organization_id, "component.delete", component_id
        )


async def _save(connection: Conn, row: ComponentRow, *, new: bool) -> ComponentPublic:
    kind = ComponentType(row.type)
    draft = await projects.draft(connection, row.project, lock=True)  # vs schema edits
    problems = bindings.binding_problems(draft.spec, kind, row.table_id, row.field_ids)
    try:
        options = checked_options(kind, row.options)
    except ApiError as error:
        problems |= error.details
    if problems:
        raise ApiError(VALIDATION, problems)
    row = replace(row, options=options)
    await components.make_room(connection, row.page, row.position, row.id)
    await components.save(connection, row, new=new)
    saved = await components.one(connection, row.id)
    assert saved is not None
    return public(draft.spec, saved)


def public(document: dict[str, Any], row: ComponentRow) -> ComponentPublic:
    """The component with its bindings' current names in the draft `document`."""
    table, fields = bindings.bound(document, row.table_id, row.field_ids)
    return ComponentPublic(
        id=row.id,
        page=row.page,
        project=row.project,
        type=ComponentType(row.type),
        position=row.position,
        table=table,
        fields=fields,
        options=row.options,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )
