"""Invitations: an ADMIN or OWNER invites an email with a role; the link's token, sent
to that address, makes whoever logs in with it a member. Pending invitations count
towards the organisation's 1,000-user limit, so that accepting one never exceeds it."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request, status

from control_plane.db import Conn, Connection
from control_plane.errors import CONFLICT, INVALID_TOKEN, LIMIT_REACHED, NOT_FOUND, ApiError
from control_plane.foundation import one_time
from control_plane.foundation.audit import record
from control_plane.foundation.deps import AppSettings, CurrentUser
from control_plane.foundation.limits import MAX_MEMBERS_PER_ORGANIZATION
from control_plane.foundation.members import lock_organization
from control_plane.foundation.one_time import Purpose, link
from control_plane.foundation.organizations import organization_of
from control_plane.foundation.permissions import Permission, Role, authorize
from control_plane.foundation.schemas import (
    InvitationCreate,
    InvitationPublic,
    OrganizationPublic,
    TokenRequest,
)
from control_plane.mail import send_later
from control_plane.pagination import Listing, Page, Pagination, fetch_page

router = APIRouter(tags=["invitations"])

_PENDING = "purpose = 'invitation' AND used_at IS NULL AND expires_at > now()"
_INVITATIONS = Listing(
    columns="id, organization_id, email, role, expires_at, created_at",
    source=f"FROM one_time_tokens WHERE organization_id = %(organization)s AND {_PENDING}",
    order="created_at, id",
)
_SEATS = f"""
SELECT (SELECT count(*) FROM memberships WHERE organization_id = %(organization)s)
     + (SELECT count(*) FROM one_time_tokens
        WHERE organization_id = %(organization)s AND {_PENDING}) AS seats,
       (SELECT name FROM organizations WHERE id = %(organization)s) AS name,
       EXISTS (SELECT 1 FROM memberships AS m JOIN users AS u ON u.id = m.user_id
               WHERE m.organization_id = %(organization)s
                 AND lower(u.email) = lower(%(email)s)) AS already_member
"""
_LIMIT = {"members": f"At most {MAX_MEMBERS_PER_ORGANIZATION} users per organization."}


async def _seats(connection: Conn, organization_id: uuid.UUID, email: str) -> dict[str, Any]:
    cursor = await connection.execute(_SEATS, {"organization": organization_id, "email": email})
    row = await cursor.fetchone()
    assert row is not None
    return row


@router.post("/organizations/{organization_id}/invitations/", status_code=status.HTTP_201_CREATED)
async def invite(
    organization_id: uuid.UUID,
    body: InvitationCreate,
    user: CurrentUser,
    request: Request,
    connection: Connection,
    settings: AppSettings,
) -> InvitationPublic:
    """Invite an email address with a role; the link goes to that address."""
    async with connection.transaction():
        await authorize(connection, user.id, organization_id, Permission.MEMBERS_MANAGE)
        if body.role == Role.OWNER:
            await authorize(connection, user.id, organization_id, Permission.OWNERS_MANAGE)
        await lock_organization(connection, organization_id)
        seats = await _seats(connection, organization_id, body.email)
        if seats["already_member"]:
            raise ApiError(CONFLICT, {"email": "Already a member of the organization."})
        if seats["seats"] >= MAX_MEMBERS_PER_ORGANIZATION:
            raise ApiError(LIMIT_REACHED, _LIMIT)
        token, invitation = await one_time.create(
            connection,
            settings,
            Purpose.INVITATION,
            organization_id=organization_id,
            email=body.email,
            role=body.role,
        )
        await record(
            connection,
            request,
            actor_id=user.id,
            organization_id=organization_id,
            action="invitation.create",
            object_type="invitation",
            object_id=invitation["id"],
            details={"email": body.email, "role": body.role},
        )
        await send_later(
            connection,
            body.email,
            f"You are invited to {seats['name']} on nocode",
            f"{user.first_name or user.email} invites you to join {seats['name']} as "
            f"{body.role}.\nAccept with this link:\n\n"
            f"{link(settings, '/invitations/accept', token)}\n\n"
            "or, logged in with this address, by posting the token to "
            f"/api/v1/foundation/invitations/accept/: {token}\n",
        )
    return InvitationPublic(**invitation)


@router.get("/organizations/{organization_id}/invitations/")
async def list_invitations(
    organization_id: uuid.UUID,
    user: CurrentUser,
    request: Request,
    connection: Connection,
    pagination: Pagination,
) -> Page[InvitationPublic]:
    await authorize(connection, user.id, organization_id, Permission.MEMBERS_MANAGE)
    page = await fetch_page(
        connection, request, pagination, _INVITATIONS, {"organization": organization_id}
    )
    return Page[InvitationPublic](**page)


@router.delete(
    "/organizations/{organization_id}/invitations/{invitation_id}/",
    status_code=status.HTTP_204_NO_CONTENT,
)
async def revoke_invitation(
    organization_id: uuid.UUID,
    invitation_id: uuid.UUID,
    user: CurrentUser,
    request: Request,
    connection: Connection,
) -> None:
    async with connection.transaction():
        await authorize(connection, user.id, organization_id, Permission.MEMBERS_MANAGE)
        cursor = await connection.execute(
            f"DELETE FROM one_time_tokens WHERE id = %s AND organization_id = %s AND {_PENDING}"
            " RETURNING id",
            (invitation_id, organization_id),
        )
        if await cursor.fetchone() is None:
            raise ApiError(NOT_FOUND, {"invitation": "No such pending invitation."})
        await record(
            connection,
            request,
            actor_id=user.id,
            organization_id=organization_id,
            action="invitation.revoke",
            object_type="invitation",
            object_id=invitation_id,
        )


@router.post("/invitations/accept/")
async def accept_invitation(
    body: TokenRequest, user: CurrentUser, request: Request, connection: Connection
) -> OrganizationPublic:
    """Join the organisation of an invitation sent to the caller's own address."""
    async with connection.transaction():
        invitation = await one_time.consume(connection, Purpose.INVITATION, body.token)
        if invitation["email"].lower() != user.email.lower():
            # Rolled back with the transaction: the token stays usable by its addressee.
            # The same answer as for an unknown token: the holder of someone else's link
            # learns nothing (not even that it is a live invitation).
            raise ApiError(INVALID_TOKEN, one_time.UNUSABLE)
        organization_id = invitation["organization_id"]
        await lock_organization(connection, organization_id)
        cursor = await connection.execute(
            "INSERT INTO memberships (organization_id, user_id, role) VALUES (%s, %s, %s) "
            "ON CONFLICT DO NOTHING RETURNING user_id",
            (organization_id, user.id, invitation["role"]),
        )
        if await cursor.fetchone() is None:
            raise ApiError(CONFLICT, {"token": "Already a member of the organization."})
        await record(
            connection,
            request,
            actor_id=user.id,
            organization_id=organization_id,
            action="invitation.accept",
            object_type="invitation",
            object_id=invitation["id"],
            details={"role": invitation["role"]},
        )
        return await organization_of(connection, organization_id, user.id)
