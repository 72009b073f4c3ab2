"""Members of an organisation: list them, change a role, remove one (or leave).

ADMIN manages CLIENT, MEMBER and ADMIN members; only an OWNER makes or unmakes an OWNER.
An organisation always keeps an OWNER: the last one can be neither demoted nor removed.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, status

from control_plane.db import Conn, Connection
from control_plane.errors import CONFLICT, NOT_FOUND, ApiError
from control_plane.foundation.audit import record
from control_plane.foundation.deps import CurrentUser
from control_plane.foundation.permissions import Permission, Role, authorize
from control_plane.foundation.schemas import MemberPublic, RoleChange
from control_plane.pagination import Listing, Page, Pagination, fetch_page

router = APIRouter(prefix="/organizations/{organization_id}/members", tags=["members"])

MEMBER_COLUMNS = (
    "u.id AS user_id, u.email, u.first_name, u.last_name, m.role, m.created_at AS joined_at"
)
_MEMBERS = Listing(
    columns=MEMBER_COLUMNS,
    source="FROM memberships AS m JOIN users AS u ON u.id = m.user_id "
    "WHERE m.organization_id = %(organization)s",
    order="m.created_at, u.id",
)
_LAST_OWNER = {"role": "The organization must keep an OWNER."}


async def lock_organization(connection: Conn, organization_id: uuid.UUID) -> None:
    """Serialize membership changes of one organisation (owner count, member limit)."""
    await connection.execute(
        "SELECT 1 FROM organizations WHERE id = %s FOR UPDATE", (organization_id,)
    )


async def _member_role(connection: Conn, organization_id: uuid.UUID, user_id: uuid.UUID) -> Role:
    cursor = await connection.execute(
        "SELECT role FROM memberships WHERE organization_id = %s AND user_id = %s",
        (organization_id, user_id),
    )
    row = await cursor.fetchone()
    if row is None:
        raise ApiError(NOT_FOUND, {"member": "No such member."})
    return Role(row["role"])


async def _refuse_last_owner(connection: Conn, organization_id: uuid.UUID) -> None:
    cursor = await connection.execute(
        "SELECT count(*) AS owners FROM memberships WHERE organization_id = %s AND role = %s",
        (organization_id, Role.OWNER),
    )
    row = await cursor.fetchone()
    if row is None or row["owners"] <= 1:
        raise ApiError(CONFLICT, _LAST_OWNER)


async def _member(connection: Conn, organization_id: uuid.UUID, user_id: uuid.UUID) -> MemberPublic:
    cursor = await connection.execute(
        f"SELECT {MEMBER_COLUMNS} FROM memberships AS m JOIN users AS u ON u.id = m.user_id "
        "WHERE m.organization_id = %s AND m.user_id = %s",
        (organization_id, user_id),
    )
    row = await cursor.fetchone()
    assert row is not None
    return MemberPublic(**row)


@router.get("/")
async def list_members(
    organization_id: uuid.UUID,
    user: CurrentUser,
    request: Request,
    connection: Connection,
    pagination: Pagination,
) -> Page[MemberPublic]:
    await authorize(connection, user.id, organization_id, Permission.MEMBERS_READ)
    values = {"organization": organization_id}
    return Page[MemberPublic](**await fetch_page(connection, request, pagination, _MEMBERS, values))


@router.patch("/{user_id}/")
async def change_role(
    organization_id: uuid.UUID,
    user_id: uuid.UUID,
    body: RoleChange,
    user: CurrentUser,
    request: Request,
    connection: Connection,
) -> MemberPublic:
    async with connection.transaction():
        await authorize(connection, user.id, organization_id, Permission.MEMBERS_MANAGE)
        await lock_organization(connection, organization_id)
        current = await _member_role(connection, organization_id, user_id)
        if Role.OWNER in (current, body.role):
            await authorize(connection, user.id, organization_id, Permission.OWNERS_MANAGE)
        if current == Role.OWNER and body.role != Role.OWNER:
            await _refuse_last_owner(connection, organization_id)
        await connection.execute(
            "UPDATE memberships SET role = %s WHERE organization_id = %s AND user_id = %s",
            (body.role, organization_id, user_id),
        )
        await record(
            connection,
            request,
            actor_id=user.id,
            organization_id=organization_id,
            action="member.change_role",
            object_type="user",
            object_id=user_id,
            details={"from": current, "to": body.role},
        )
        return await _member(connection, organization_id, user_id)


@router.delete("/{user_id}/", status_code=status.HTTP_204_NO_CONTENT)
async def remove_member(
    organization_id: uuid.UUID,
    user_id: uuid.UUID,
    user: CurrentUser,
    request: Request,
    connection: Connection,
) -> None:
    """Remove a member; any member may remove themself (leave)."""
    async with connection.transaction():
        leaving = user_id == user.id
        needed = Permission.ORGANIZATION_READ if leaving else Permission.MEMBERS_MANAGE
        await authorize(connection, user.id, organization_id, needed)
        await lock_organization(connection, organization_id)
        current = await _member_role(connection, organization_id, user_id)
        if current == Role.OWNER:
            if not leaving:
                await authorize(connection, user.id, organization_id, Permission.OWNERS_MANAGE)
            await _refuse_last_owner(connection, organization_id)
        await connection.execute(
            "DELETE FROM memberships WHERE organization_id = %s AND user_id = %s",
            (organization_id, user_id),
        )
        await record(
            connection,
            request,
            actor_id=user.id,
            organization_id=organization_id,
            action="member.leave" if leaving else "member.remove",
            object_type="user",
            object_id=user_id,
            details={"role": current},
        )
