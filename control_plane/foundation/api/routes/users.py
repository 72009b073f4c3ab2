"""`/users/`: the caller's profile, and the user search of organisation admins."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request

from control_plane.foundation.api.deps import Caller, Connection, Origin, Pagination
from control_plane.foundation.models import WITHOUT_NUL, MemberPublic, ProfileUpdate, UserPublic
from control_plane.foundation.permissions import Permission, authorize
from control_plane.foundation.queries import memberships
from control_plane.foundation.services import accounts
from control_plane.pagination import Page, fetch_page

router = APIRouter(prefix="/users", tags=["users"])


@router.get("/profile/")
async def profile(caller: Caller) -> UserPublic:
    return UserPublic.of(caller)


@router.put("/profile/")
async def update_profile(
    body: ProfileUpdate, caller: Caller, origin: Origin, connection: Connection
) -> UserPublic:
    user = await accounts.update_profile(
        connection, origin, caller.id, body.first_name, body.last_name
    )
    return UserPublic.of(user)


@router.get("/")
async def search_users(
    organization: uuid.UUID,
    caller: Caller,
    request: Request,
    connection: Connection,
    pagination: Pagination,
    search: Annotated[str | None, Query(max_length=200, pattern=WITHOUT_NUL)] = None,
) -> Page[MemberPublic]:
    """The members of an organisation whose email or name contains `search` (ADMIN, OWNER)."""
    await authorize(connection, caller.id, organization, Permission.USERS_SEARCH)
    values = {"organization": organization, "pattern": memberships.like_pattern(search)}
    return await fetch_page(connection, request, pagination, memberships.MEMBERS_MATCHING, values)
