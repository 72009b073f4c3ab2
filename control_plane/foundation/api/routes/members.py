"""`/organizations/{id}/members/`: list the members, change a role, remove one (or leave)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, status

from control_plane.foundation.api.deps import Caller, Connection, Origin, Pagination
from control_plane.foundation.models import MemberPublic, RoleChange
from control_plane.foundation.permissions import Permission, authorize
from control_plane.foundation.queries import memberships as queries
from control_plane.foundation.services import memberships
from control_plane.pagination import Page, fetch_page

router = APIRouter(prefix="/organizations/{organization_id}/members", tags=["members"])


@router.get("/")
async def list_members(
    organization_id: uuid.UUID,
    caller: Caller,
    request: Request,
    connection: Connection,
    pagination: Pagination,
) -> Page[MemberPublic]:
    await authorize(connection, caller.id, organization_id, Permission.MEMBERS_READ)
    values = {"organization": organization_id}
    return await fetch_page(connection, request, pagination, queries.MEMBERS, values)


@router.patch("/{user_id}/")
async def change_role(
    organization_id: uuid.UUID,
    user_id: uuid.UUID,
    body: RoleChange,
    caller: Caller,
    origin: Origin,
    connection: Connection,
) -> MemberPublic:
    return await memberships.change_role(
        connection, origin, caller.id, organization_id, user_id, body.role
    )


@router.delete("/{user_id}/", status_code=status.HTTP_204_NO_CONTENT)
async def remove_member(
    organization_id: uuid.UUID,
    user_id: uuid.UUID,
    caller: Caller,
    origin: Origin,
    connection: Connection,
) -> None:
    """Remove a member; any member may remove themself (leave)."""
    await memberships.remove(connection, origin, caller.id, organization_id, user_id)
