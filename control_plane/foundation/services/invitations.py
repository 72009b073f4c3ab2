"""Invitations: an ADMIN or OWNER invites an email with a role; the link's token, sent
to that address, makes whoever logs in with it a member. Pending invitations count
towards the organisation's 1,000-user limit, so that accepting one never exceeds it."""

from __future__ import annotations

import uuid

from control_plane.config import Settings
from control_plane.db import Conn
from control_plane.errors import CONFLICT, INVALID_TOKEN, LIMIT_REACHED, NOT_FOUND, ApiError
from control_plane.foundation.limits import MAX_MEMBERS_PER_ORGANIZATION
from control_plane.foundation.models import InvitationPublic, OrganizationPublic, Role
from control_plane.foundation.permissions import Permission, authorize
from control_plane.foundation.queries import invitations, memberships, organizations
from control_plane.foundation.queries.users import User
from control_plane.foundation.services import one_time_tokens
from control_plane.foundation.services.audit import RequestOrigin, record
from control_plane.foundation.services.one_time_tokens import Purpose, link
from control_plane.mail import send_later

_LIMIT = {"members": f"At most {MAX_MEMBERS_PER_ORGANIZATION} users per organization."}


async def invite(
    connection: Conn,
    settings: Settings,
    origin: RequestOrigin,
    user: User,
    organization_id: uuid.UUID,
    email: str,
    role: Role,
) -> InvitationPublic:
    """Invite an email address with a role; the link goes to that address."""
    async with connection.transaction():
        await authorize(connection, user.id, organization_id, Permission.MEMBERS_MANAGE)
        if role == Role.OWNER:
            await authorize(connection, user.id, organization_id, Permission.OWNERS_MANAGE)
        await organizations.lock(connection, organization_id)
        seats = await invitations.seats(connection, organization_id, email)
        if seats.already_member:
            raise ApiError(CONFLICT, {"email": "Already a member of the organization."})
        if seats.taken >= MAX_MEMBERS_PER_ORGANIZATION:
            raise ApiError(LIMIT_REACHED, _LIMIT)
        token, invitation = await one_time_tokens.create(
            connection,
            settings,
            Purpose.INVITATION,
            organization_id=organization_id,
            email=email,
            role=role,
        )
        await record(
            connection,
            origin,
            actor_id=user.id,
            organization_id=organization_id,
            action="invitation.create",
            object_type="invitation",
            object_id=invitation.id,
            details={"email": email, "role": role},
        )
        await send_later(
            connection,
            email,
            f"You are invited to {seats.organization_name} on nocode",
            f"{user.first_name or user.email} invites you to join {seats.organization_name} "
            f"as {role}.\n"
            f"Accept with this link:\n\n{link(settings, '/invitations/accept', token)}\n\n"
            "or, logged in with this address, by posting the token to "
            f"/api/v1/foundation/invitations/accept/: {token}\n",
        )
    return InvitationPublic.model_validate(invitation, from_attributes=True)


async def revoke(
    connection: Conn,
    origin: RequestOrigin,
    user_id: uuid.UUID,
    organization_id: uuid.UUID,
    invitation_id: uuid.UUID,
) -> None:
    async with connection.transaction():
        await authorize(connection, user_id, organization_id, Permission.MEMBERS_MANAGE)
        if not await invitations.delete_pending(connection, organization_id, invitation_id):
            raise ApiError(NOT_FOUND, {"invitation": "No such pending invitation."})
        await record(
            connection,
            origin,
            actor_id=user_id,
            organization_id=organization_id,
            action="invitation.revoke",
            object_type="invitation",
            object_id=invitation_id,
        )


async def accept(
    connection: Conn, origin: RequestOrigin, user: User, token: str
) -> OrganizationPublic:
    """Join the organisation of an invitation sent to the caller's own address."""
    async with connection.transaction():
        invitation = await one_time_tokens.consume(connection, Purpose.INVITATION, token)
        if (invitation.email or "").lower() != user.email.lower():
            # Rolled back with the transaction: the token stays usable by its addressee.
            # The same answer as for an unknown token: the holder of someone else's link
            # learns nothing (not even that it is a live invitation).
            raise ApiError(INVALID_TOKEN, one_time_tokens.UNUSABLE)
        organization_id = invitation.organization_id
        assert organization_id is not None and invitation.role is not None  # an invitation's
        await organizations.lock(connection, organization_id)
        if not await memberships.insert(
            connection, organization_id, user.id, Role(invitation.role)
        ):
            raise ApiError(CONFLICT, {"token": "Already a member of the organization."})
        await record(
            connection,
            origin,
            actor_id=user.id,
            organization_id=organization_id,
            action="invitation.accept",
            object_type="invitation",
            object_id=invitation.id,
            details={"role": invitation.role},
        )
        return await organizations.one_of_member(connection, organization_id, user.id)
