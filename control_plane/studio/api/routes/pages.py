"""`/pages/`: the pages of projects (name, route unique in the project, layout, component
ids in order). Another organisation's page answers 404, exactly as a missing one."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, status

from control_plane.foundation.api.deps import Caller, Connection, Origin, Pagination
from control_plane.foundation.permissions import Permission
from control_plane.pagination import Page, fetch_page
from control_plane.studio.models.pages import PageCreate, PagePublic, PageUpdate
from control_plane.studio.queries import pages as queries
from control_plane.studio.services import pages
from control_plane.studio.services.pages import authorize_page

router = APIRouter(prefix="/pages", tags=["studio pages"])


@router.get("/")
async def list_pages(
    caller: Caller,
    request: Request,
    connection: Connection,
    pagination: Pagination,
    project: uuid.UUID | None = None,
) -> Page[PagePublic]:
    values = {"user": caller.id, "project": project}
    return await fetch_page(connection, request, pagination, queries.OF_MEMBER, values)


@router.post("/", status_code=status.HTTP_201_CREATED)
async def create_page(
    body: PageCreate, caller: Caller, origin: Origin, connection: Connection
) -> PagePublic:
    return await pages.create(connection, origin, caller.id, body)


@router.get("/{page_id}/")
async def get_page(page_id: uuid.UUID, caller: Caller, connection: Connection) -> PagePublic:
    await authorize_page(connection, caller.id, page_id, Permission.PROJECTS_READ)
    return await pages.public(connection, page_id)


@router.put("/{page_id}/")
@router.patch("/{page_id}/")
async def update_page(
    page_id: uuid.UUID, body: PageUpdate, caller: Caller, origin: Origin, connection: Connection
) -> PagePublic:
    """Change the keys given (name, route, layout)."""
    return await pages.update(connection, origin, caller.id, page_id, body)


@router.delete("/{page_id}/", status_code=status.HTTP_204_NO_CONTENT)
async def delete_page(
    page_id: uuid.UUID, caller: Caller, origin: Origin, connection: Connection
) -> None:
    """Delete the page with its components."""
    await pages.delete(connection, origin, caller.id, page_id)
