"""`/organizations/{id}/invitations/` and `/invitations/accept/`: invite an email with a
role, list and revoke pending invitations, join with an invitation's token."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, status

from control_plane.foundation.api.deps import AppSettings, Caller, Connection, Origin, Pagination
from control_plane.foundation.models import (
    InvitationCreate,
    InvitationPublic,
    OrganizationPublic,
    TokenRequest,
)
from control_plane.foundation.permissions import Permission, authorize
from control_plane.foundation.queries import invitations as queries
from control_plane.foundation.services import invitations
from control_plane.pagination import Page, fetch_page

router = APIRouter(tags=["invitations"])


@router.post("/organizations/{organization_id}/invitations/", status_code=status.HTTP_201_CREATED)
async def invite(
    organization_id: uuid.UUID,
    body: InvitationCreate,
    caller: Caller,
    origin: Origin,
    connection: Connection,
    settings: AppSettings,
) -> InvitationPublic:
    """Invite an email address with a role; the link goes to that address."""
    return await invitations.invite(
        connection, settings, origin, caller, organization_id, body.email, body.role
    )


@router.get("/organizations/{organization_id}/invitations/")
async def list_invitations(
    organization_id: uuid.UUID,
    caller: Caller,
    request: Request,
    connection: Connection,
    pagination: Pagination,
) -> Page[InvitationPublic]:
    await authorize(connection, caller.id, organization_id, Permission.MEMBERS_MANAGE)
    values = {"organization": organization_id}
    return await fetch_page(connection, request, pagination, queries.PENDING, values)


@router.delete(
    "/organizations/{organization_id}/invitations/{invitation_id}/",
    status_code=status.HTTP_204_NO_CONTENT,
)
async def revoke_invitation(
    organization_id: uuid.UUID,
    invitation_id: uuid.UUID,
    caller: Caller,
    origin: Origin,
    connection: Connection,
) -> None:
    await invitations.revoke(connection, origin, caller.id, organization_id, invitation_id)


@router.post("/invitations/accept/")
async def accept_invitation(
    body: TokenRequest, caller: Caller, origin: Origin, connection: Connection
) -> OrganizationPublic:
    """Join the organisation of an invitation sent to the caller's own address."""
    return await invitations.accept(connection, origin, caller, body.token)
