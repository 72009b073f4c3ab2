"""SQL of the `memberships` table: who belongs to which organisation, with which role."""

from __future__ import annotations

import uuid

from psycopg import sql

from control_plane.db import Conn, fetch_one, fetch_value
from control_plane.foundation.models import MemberPublic, Role
from control_plane.pagination import Listing

_MEMBER_COLUMNS = sql.SQL(
    "u.id AS user_id, u.email, u.first_name, u.last_name, m.role, m.created_at AS joined_at"
)
_MEMBERS_OF_ORGANIZATION = sql.SQL(
    "FROM memberships AS m JOIN users AS u ON u.id = m.user_id "
    "WHERE m.organization_id = %(organization)s"
)

MEMBERS = Listing(
    row=MemberPublic,
    columns=_MEMBER_COLUMNS,
    source=_MEMBERS_OF_ORGANIZATION,
    order=sql.SQL("m.created_at, u.id"),
)

# `pattern` is an ILIKE pattern, or None for every member.
MEMBERS_MATCHING = Listing(
    row=MemberPublic,
    columns=_MEMBER_COLUMNS,
    source=sql.SQL("""
    {members}
      AND (%(pattern)s::text IS NULL OR u.email ILIKE %(pattern)s
           OR u.first_name ILIKE %(pattern)s OR u.last_name ILIKE %(pattern)s)
    """).format(members=_MEMBERS_OF_ORGANIZATION),
    order=sql.SQL("lower(u.email), u.id"),
)

ONE = sql.SQL("SELECT {columns} {members} AND m.user_id = %(user)s").format(
    columns=_MEMBER_COLUMNS, members=_MEMBERS_OF_ORGANIZATION
)

ROLE_OF = """
SELECT role FROM memberships WHERE organization_id = %(organization)s AND user_id = %(user)s
"""

COUNT_WITH_ROLE = """
SELECT count(*) FROM memberships WHERE organization_id = %(organization)s AND role = %(role)s
"""

INSERT = """
INSERT INTO memberships (organization_id, user_id, role)
VALUES (%(organization)s, %(user)s, %(role)s)
ON CONFLICT DO NOTHING
RETURNING user_id
"""

SET_ROLE = """
UPDATE memberships SET role = %(role)s
WHERE organization_id = %(organization)s AND user_id = %(user)s
"""

DELETE = "DELETE FROM memberships WHERE organization_id = %(organization)s AND user_id = %(user)s"


def like_pattern(text: str | None) -> str | None:
    """`text` as an ILIKE pattern matching it anywhere, its own % and _ taken literally."""
    if not text:
        return None
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _key(organization_id: uuid.UUID, user_id: uuid.UUID) -> dict[str, uuid.UUID]:
    return {"organization": organization_id, "user": user_id}


async def one(connection: Conn, organization_id: uuid.UUID, user_id: uuid.UUID) -> MemberPublic:
    """A member known to exist."""
    member = await fetch_one(connection, MemberPublic, ONE, _key(organization_id, user_id))
    assert member is not None
    return member


async def role_of(connection: Conn, organization_id: uuid.UUID, user_id: uuid.UUID) -> Role | None:
    """The user's role in the organisation; None for a non-member."""
    role = await fetch_value(connection, str, ROLE_OF, _key(organization_id, user_id))
    return None if role is None else Role(role)


async def count_with_role(connection: Conn, organization_id: uuid.UUID, role: Role) -> int:
    values = {"organization": organization_id, "role": role}
    return await fetch_value(connection, int, COUNT_WITH_ROLE, values) or 0


async def insert(
    connection: Conn, organization_id: uuid.UUID, user_id: uuid.UUID, role: Role
) -> bool:
    """Add the member; False when they already are one."""
    values = {**_key(organization_id, user_id), "role": role}
    return await fetch_value(connection, uuid.UUID, INSERT, values) is not None


async def set_role(
    connection: Conn, organization_id: uuid.UUID, user_id: uuid.UUID, role: Role
) -> None:
    await connection.execute(SET_ROLE, {**_key(organization_id, user_id), "role": role})


async def delete(connection: Conn, organization_id: uuid.UUID, user_id: uuid.UUID) -> None:
    await connection.execute(DELETE, _key(organization_id, user_id))
