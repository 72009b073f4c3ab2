"""SQL of invitations: the pending `one_time_tokens` of purpose `invitation`, and the
seats of an organisation they hold."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from psycopg import sql

from control_plane.db import Conn, fetch_one, fetch_value
from control_plane.foundation.models import InvitationPublic
from control_plane.pagination import Listing

_IS_PENDING = sql.SQL("purpose = 'invitation' AND used_at IS NULL AND expires_at > now()")


@dataclass(frozen=True)
class Seats:
    """An organisation's members and pending invitations, when inviting `email`."""

    taken: int
    organization_name: str
    already_member: bool


PENDING = Listing(
    row=InvitationPublic,
    columns=sql.SQL("id, organization_id, email, role, expires_at, created_at"),
    source=sql.SQL(
        "FROM one_time_tokens WHERE organization_id = %(organization)s AND {pending}"
    ).format(pending=_IS_PENDING),
    order=sql.SQL("created_at, id"),
)

SEATS = sql.SQL("""
SELECT (SELECT count(*) FROM memberships WHERE organization_id = %(organization)s)
     + (SELECT count(*) FROM one_time_tokens
        WHERE organization_id = %(organization)s AND {pending}) AS taken,
       (SELECT name FROM organizations WHERE id = %(organization)s) AS organization_name,
       EXISTS (SELECT 1 FROM memberships AS m JOIN users AS u ON u.id = m.user_id
               WHERE m.organization_id = %(organization)s
                 AND lower(u.email) = lower(%(email)s)) AS already_member
""").format(pending=_IS_PENDING)

DELETE_PENDING = sql.SQL("""
DELETE FROM one_time_tokens
WHERE id = %(invitation)s AND organization_id = %(organization)s AND {pending}
RETURNING id
""").format(pending=_IS_PENDING)


async def seats(connection: Conn, organization_id: uuid.UUID, email: str) -> Seats:
    values = {"organization": organization_id, "email": email}
    found = await fetch_one(connection, Seats, SEATS, values)
    assert found is not None
    return found


async def delete_pending(
    connection: Conn, organization_id: uuid.UUID, invitation_id: uuid.UUID
) -> bool:
    """Revoke the invitation; False when there is no such pending one."""
    values = {"organization": organization_id, "invitation": invitation_id}
    return await fetch_value(connection, uuid.UUID, DELETE_PENDING, values) is not None
