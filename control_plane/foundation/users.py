"""`/users/`: the caller's profile, and the user search of organisation admins."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request

from control_plane.db import Connection
from control_plane.foundation import accounts
from control_plane.foundation.audit import record_account
from control_plane.foundation.deps import CurrentUser
from control_plane.foundation.permissions import Permission, authorize
from control_plane.foundation.schemas import (
    WITHOUT_NUL,
    MemberPublic,
    ProfileUpdate,
    UserPublic,
)
from control_plane.pagination import Listing, Page, Pagination, fetch_page

router = APIRouter(prefix="/users", tags=["users"])

_MEMBERS_MATCHING = Listing(
    columns="u.id AS user_id, u.email, u.first_name, u.last_name, m.role, "
    "m.created_at AS joined_at",
    source="""
    FROM memberships AS m JOIN users AS u ON u.id = m.user_id
    WHERE m.organization_id = %(organization)s
      AND (%(pattern)s::text IS NULL OR u.email ILIKE %(pattern)s
           OR u.first_name ILIKE %(pattern)s OR u.last_name ILIKE %(pattern)s)
    """,
    order="lower(u.email), u.id",
)


def like_pattern(text: str) -> str:
    """`text` as an ILIKE pattern matching it anywhere, its own % and _ taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@router.get("/profile/")
async def profile(user: CurrentUser) -> UserPublic:
    return UserPublic(**accounts.public_user(vars(user)))  # vars: no deep copy, unlike asdict


@router.put("/profile/")
async def update_profile(
    body: ProfileUpdate, user: CurrentUser, request: Request, connection: Connection
) -> UserPublic:
    async with connection.transaction():
        row = await accounts.update(
            connection,
            user.id,
            "first_name = %s, last_name = %s",
            (body.first_name, body.last_name),
        )
        await record_account(
            connection,
            request,
            user.id,
            "user.update_profile",
            details={"fields": ["first_name", "last_name"]},
        )
    return UserPublic(**accounts.public_user(row))


@router.get("/")
async def search_users(
    organization: uuid.UUID,
    user: CurrentUser,
    request: Request,
    connection: Connection,
    pagination: Pagination,
    search: Annotated[str | None, Query(max_length=200, pattern=WITHOUT_NUL)] = None,
) -> Page[MemberPublic]:
    """The members of an organisation whose email or name contains `search` (ADMIN, OWNER)."""
    await authorize(connection, user.id, organization, Permission.USERS_SEARCH)
    values = {"organization": organization, "pattern": like_pattern(search) if search else None}
    page = await fetch_page(connection, request, pagination, _MEMBERS_MATCHING, values)
    return Page[MemberPublic](**page)
