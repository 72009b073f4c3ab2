"""Members of an organisation: change a role, remove one (or leave).

ADMIN manages CLIENT, MEMBER and ADMIN members; only an OWNER makes or unmakes an OWNER.
An organisation always keeps an OWNER: the last one can be neither demoted nor removed.
Membership changes of one organisation take turns on its row lock.
"""

from __future__ import annotations

import uuid

from control_plane.db import Conn
from control_plane.errors import CONFLICT, NOT_FOUND, ApiError
from control_plane.foundation.models import MemberPublic, Role
from control_plane.foundation.permissions import Permission, authorize
from control_plane.foundation.queries import memberships, organizations
from control_plane.foundation.services.audit import RequestOrigin, record

_LAST_OWNER = {"role": "The organization must keep an OWNER."}


async def _role_of_member(connection: Conn, organization_id: uuid.UUID, user_id: uuid.UUID) -> Role:
    role = await memberships.role_of(connection, organization_id, user_id)
    if role is None:
        raise ApiError(NOT_FOUND, {"member": "No such member."})
    return role


async def _refuse_last_owner(connection: Conn, organization_id: uuid.UUID) -> None:
    if await memberships.count_with_role(connection, organization_id, Role.OWNER) <= 1:
        raise ApiError(CONFLICT, _LAST_OWNER)


async def change_role(
    connection: Conn,
    origin: RequestOrigin,
    caller_id: uuid.UUID,
    organization_id: uuid.UUID,
    user_id: uuid.UUID,
    role: Role,
) -> MemberPublic:
    async with connection.transaction():
        await authorize(connection, caller_id, organization_id, Permission.MEMBERS_MANAGE)
        await organizations.lock(connection, organization_id)
        current = await _role_of_member(connection, organization_id, user_id)
        if Role.OWNER in (current, role):
            await authorize(connection, caller_id, organization_id, Permission.OWNERS_MANAGE)
        if current == Role.OWNER and role != Role.OWNER:
            await _refuse_last_owner(connection, organization_id)
        await memberships.set_role(connection, organization_id, user_id, role)
        await record(
            connection,
            origin,
            actor_id=caller_id,
            organization_id=organization_id,
            action="member.change_role",
            object_type="user",
            object_id=user_id,
            details={"from": current, "to": role},
        )
        return await memberships.one(connection, organization_id, user_id)


async def remove(
    connection: Conn,
    origin: RequestOrigin,
    caller_id: uuid.UUID,
    organization_id: uuid.UUID,
    user_id: uuid.UUID,
) -> None:
    """Remove a member; any member may remove themself (leave)."""
    async with connection.transaction():
        leaving = user_id == caller_id
        needed = Permission.ORGANIZATION_READ if leaving else Permission.MEMBERS_MANAGE
        await authorize(connection, caller_id, organization_id, needed)
        await organizations.lock(connection, organization_id)
        current = await _role_of_member(connection, organization_id, user_id)
        if current == Role.OWNER:
            if not leaving:
                await authorize(connection, caller_id, organization_id, Permission.OWNERS_MANAGE)
            await _refuse_last_owner(connection, organization_id)
        await memberships.delete(connection, organization_id, user_id)
        await record(
            connection,
            origin,
            actor_id=caller_id,
            organization_id=organization_id,
            action="member.leave" if leaving else "member.remove",
            object_type="user",
            object_id=user_id,
            details={"role": current},
        )
