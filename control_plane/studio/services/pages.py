"""Pages of a project: a route unique in the project, a layout, components in order.
`frozen` is what publishing keeps of them in a version."""

from __future__ import annotations

import uuid
from typing import Any

from control_plane.db import Conn
from control_plane.errors import CONFLICT, NOT_FOUND, ApiError
from control_plane.foundation.permissions import Permission
from control_plane.foundation.services.audit import RequestOrigin, record_action
from control_plane.studio.models.pages import PageCreate, PagePublic, PageUpdate
from control_plane.studio.queries import components, pages
from control_plane.studio.services.access import authorize_project

NO_PAGE = {"page": "No such page."}


async def authorize_page(
    connection: Conn, user_id: uuid.UUID, page_id: uuid.UUID, permission: Permission
) -> tuple[uuid.UUID, uuid.UUID]:
    """The page's project and organisation, if the caller may `permission` it; 404 alike."""
    project_id = await pages.project_of(connection, page_id)
    if project_id is None:
        raise ApiError(NOT_FOUND, NO_PAGE)
    organization_id = await authorize_project(connection, user_id, project_id, permission, NO_PAGE)
    return project_id, organization_id


async def create(
    connection: Conn, origin: RequestOrigin, user_id: uuid.UUID, body: PageCreate
) -> PagePublic:
    page_id = uuid.uuid4()
    async with connection.transaction():
        organization_id = await authorize_project(
            connection, user_id, body.project, Permission.PROJECTS_WRITE
        )
        await _check_route(connection, body.project, body.route, page_id)
        await pages.insert(connection, page_id, body.project, body.name, body.route, body.layout)
        await record_action(connection, origin, user_id, organization_id, "page.create", page_id)
        return await public(connection, page_id)


async def update(
    connection: Conn,
    origin: RequestOrigin,
    user_id: uuid.UUID,
    page_id: uuid.UUID,
    body: PageUpdate,
) -> PagePublic:
    async with connection.transaction():
        project_id, organization_id = await authorize_page(
            connection, user_id, page_id, Permission.PROJECTS_WRITE
        )
        if body.route is not None:
            await _check_route(connection, project_id, body.route, page_id)
        await pages.update(connection, page_id, body.name, body.route, body.layout)
        changed = sorted(body.model_dump(exclude_unset=True))
        await record_action(
            connection,
            origin,
            user_id,
            organization_id,
            "page.update",
            page_id,
            {"fields": changed},
        )
        return await public(connection, page_id)


async def delete(
    connection: Conn, origin: RequestOrigin, user_id: uuid.UUID, page_id: uuid.UUID
) -> None:
    async with connection.transaction():
        _, organization_id = await authorize_page(
            connection, user_id, page_id, Permission.PROJECTS_WRITE
        )
        await pages.delete(connection, page_id)
        await record_action(connection, origin, user_id, organization_id, "page.delete", page_id)


async def public(connection: Conn, page_id: uuid.UUID) -> PagePublic:
    page = await pages.one(connection, page_id)
    assert page is not None
    return page


async def frozen(connection: Conn, project_id: uuid.UUID) -> list[dict[str, Any]]:
    """The project's pages (by route) with their components in order, bound by stable
    ids: what a version keeps, and what an export holds."""
    by_page: dict[uuid.UUID, list[dict[str, Any]]] = {}
    for component in await components.of_project(connection, project_id):
        by_page.setdefault(component.page, []).append(
            {
                "id": str(component.id),
                "type": component.type,
                "position": component.position,
                "table_id": component.table_id,
                "field_ids": component.field_ids,
                "options": component.options,
            }
        )
    return [
        {
            "id": str(page.id),
            "name": page.name,
            "route": page.route,
            "layout": page.layout.value,
            "components": by_page.get(page.id, []),
        }
        for page in await pages.all_of_project(connection, project_id)
    ]


async def _check_route(
    connection: Conn, project_id: uuid.UUID, route: str, page_id: uuid.UUID
) -> None:
    if await pages.route_taken(connection, project_id, route, page_id):
        raise ApiError(CONFLICT, {"route": "Another page of the project has this route."})
