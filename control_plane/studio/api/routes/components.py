"""`/components/`: the components of pages, with their bindings' current names. Another
organisation's component answers 404, exactly as a missing one."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, status

from control_plane.foundation.api.deps import Caller, Connection, Origin, Pagination
from control_plane.foundation.permissions import Permission
from control_plane.pagination import Page, fetch_page
from control_plane.studio.models.pages import ComponentCreate, ComponentPublic, ComponentUpdate
from control_plane.studio.queries import components as queries
from control_plane.studio.queries import projects
from control_plane.studio.services import components
from control_plane.studio.services.components import authorize_component

router = APIRouter(prefix="/components", tags=["studio components"])


@router.get("/")
async def list_components(
    caller: Caller,
    request: Request,
    connection: Connection,
    pagination: Pagination,
    page_id: uuid.UUID | None = None,
    project: uuid.UUID | None = None,
) -> Page[ComponentPublic]:
    """The components of the caller's organisations' pages, each page's in order
    (`page_id`, as `page` is the number of the page of results)."""
    values = {"user": caller.id, "page": page_id, "project": project}
    rows = await fetch_page(connection, request, pagination, queries.OF_MEMBER, values)
    drafts = {
        project_id: (await projects.draft(connection, project_id)).spec
        for project_id in {row.project for row in rows.results}
    }
    return rows.map(lambda row: components.public(drafts[row.project], row))


@router.post("/", status_code=status.HTTP_201_CREATED)
async def create_component(
    body: ComponentCreate, caller: Caller, origin: Origin, connection: Connection
) -> ComponentPublic:
    """Add a component to a page, after its last one unless `position` is given."""
    return await components.create(connection, origin, caller.id, body)


@router.get("/{component_id}/")
async def get_component(
    component_id: uuid.UUID, caller: Caller, connection: Connection
) -> ComponentPublic:
    row, _ = await authorize_component(
        connection, caller.id, component_id, Permission.PROJECTS_READ
    )
    draft = await projects.draft(connection, row.project)
    return components.public(draft.spec, row)


@router.put("/{component_id}/")
@router.patch("/{component_id}/")
async def update_component(
    component_id: uuid.UUID,
    body: ComponentUpdate,
    caller: Caller,
    origin: Origin,
    connection: Connection,
) -> ComponentPublic:
    """Change the keys given; the component is checked whole."""
    return await components.update(connection, origin, caller.id, component_id, body)


@router.delete("/{component_id}/", status_code=status.HTTP_204_NO_CONTENT)
async def delete_component(
    component_id: uuid.UUID, caller: Caller, origin: Origin, connection: Connection
) -> None:
    await components.delete(connection, origin, caller.id, component_id)
