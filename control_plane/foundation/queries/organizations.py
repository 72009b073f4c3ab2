"""SQL of the `organizations` table, as the caller (a member) sees each one."""

from __future__ import annotations

import uuid

from psycopg import sql

from control_plane.db import Conn, fetch_one, fetch_value
from control_plane.foundation.models import OrganizationPublic
from control_plane.pagination import Listing

_AS_SEEN_BY_MEMBER = sql.SQL("""
o.id, o.name, o.description, m.role, o.created_at, o.updated_at,
(SELECT count(*) FROM memberships AS c WHERE c.organization_id = o.id) AS members_count
""")

OF_MEMBER = Listing(
    row=OrganizationPublic,
    columns=_AS_SEEN_BY_MEMBER,
    source=sql.SQL(
        "FROM organizations AS o JOIN memberships AS m ON m.organization_id = o.id "
        "WHERE m.user_id = %(user)s"
    ),
    order=sql.SQL("o.created_at, o.id"),
)

ONE_OF_MEMBER = sql.SQL("""
SELECT {columns} FROM organizations AS o
JOIN memberships AS m ON m.organization_id = o.id AND m.user_id = %(user)s
WHERE o.id = %(organization)s
""").format(columns=_AS_SEEN_BY_MEMBER)

INSERT = """
INSERT INTO organizations (name, description) VALUES (%(name)s, %(description)s)
RETURNING id
"""

# A field given as None keeps its value.
UPDATE = """
UPDATE organizations SET name = coalesce(%(name)s, name),
    description = coalesce(%(description)s, description), updated_at = now()
WHERE id = %(organization)s
"""

DELETE = "DELETE FROM organizations WHERE id = %(organization)s"

LOCK = "SELECT 1 FROM organizations WHERE id = %(organization)s FOR UPDATE"


async def one_of_member(
    connection: Conn, organization_id: uuid.UUID, user_id: uuid.UUID
) -> OrganizationPublic:
    """The organisation as its member sees it; called once the membership is known."""
    values = {"organization": organization_id, "user": user_id}
    organization = await fetch_one(connection, OrganizationPublic, ONE_OF_MEMBER, values)
    assert organization is not None
    return organization


async def insert(connection: Conn, name: str, description: str) -> uuid.UUID:
    values = {"name": name, "description": description}
    organization_id = await fetch_value(connection, uuid.UUID, INSERT, values)
    assert organization_id is not None
    return organization_id


async def update(
    connection: Conn, organization_id: uuid.UUID, name: str | None, description: str | None
) -> None:
    values = {"organization": organization_id, "name": name, "description": description}
    await connection.execute(UPDATE, values)


async def delete(connection: Conn, organization_id: uuid.UUID) -> None:
    """The organisation with its memberships, invitations and subscription (cascades)."""
    await connection.execute(DELETE, {"organization": organization_id})


async def lock(connection: Conn, organization_id: uuid.UUID) -> None:
    """Serialize membership changes of one organisation (owner count, member limit)."""
    await connection.execute(LOCK, {"organization": organization_id})
