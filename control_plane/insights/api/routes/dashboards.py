"""`/dashboards/`: saved reports of an organisation (docs/insights.md, "Analytics and
dashboards"). Another organisation's dashboard answers 404, exactly as a missing one."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, status

from control_plane.foundation.api.deps import Caller, Connection, Origin, Pagination
from control_plane.foundation.models import Role
from control_plane.foundation.permissions import Permission, allowed, authorize
from control_plane.insights.models.dashboards import (
    DashboardCreate,
    DashboardPublic,
    DashboardUpdate,
)
from control_plane.insights.queries import dashboards as queries
from control_plane.insights.services import dashboards
from control_plane.pagination import Page, fetch_page

router = APIRouter(prefix="/dashboards", tags=["insights dashboards"])

_READERS = [role.value for role in Role if allowed(role, Permission.INSIGHTS_READ)]


@router.get("/")
async def list_dashboards(
    caller: Caller,
    request: Request,
    connection: Connection,
    pagination: Pagination,
    organization: uuid.UUID | None = None,
) -> Page[DashboardPublic]:
    """The dashboards of the caller's organisations where they read analytics, newest
    first, without their figures (GET one for those)."""
    if organization is not None:
        await authorize(connection, caller.id, organization, Permission.INSIGHTS_READ)
    values = {"user": caller.id, "roles": _READERS, "organization": organization}
    page = await fetch_page(connection, request, pagination, queries.OF_MEMBER, values)
    return page.map(dashboards.public)


@router.post("/", status_code=status.HTTP_201_CREATED)
async def create_dashboard(
    body: DashboardCreate, caller: Caller, origin: Origin, connection: Connection
) -> DashboardPublic:
    return await dashboards.create(connection, origin, caller.id, body)


@router.get("/{dashboard_id}/")
async def get_dashboard(
    dashboard_id: uuid.UUID, caller: Caller, connection: Connection
) -> DashboardPublic:
    """The dashboard with each report's current figures (`result`)."""
    return await dashboards.one(connection, caller.id, dashboard_id)


@router.put("/{dashboard_id}/")
@router.patch("/{dashboard_id}/")
async def update_dashboard(
    dashboard_id: uuid.UUID,
    body: DashboardUpdate,
    caller: Caller,
    origin: Origin,
    connection: Connection,
) -> DashboardPublic:
    """Change the keys given (`reports` replaces them all)."""
    return await dashboards.update(connection, origin, caller.id, dashboard_id, body)


@router.delete("/{dashboard_id}/", status_code=status.HTTP_204_NO_CONTENT)
async def delete_dashboard(
    dashboard_id: uuid.UUID, caller: Caller, origin: Origin, connection: Connection
) -> None:
    await dashboards.delete(connection, origin, caller.id, dashboard_id)
