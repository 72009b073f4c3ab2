"""SQL of the organisations a caller manages deployments in."""

from __future__ import annotations

import uuid

from control_plane.db import Conn

MANAGED = """
SELECT organization_id FROM memberships WHERE user_id = %(user)s AND role = ANY(%(roles)s)
ORDER BY organization_id
"""


async def managed(connection: Conn, user_id: uuid.UUID, roles: list[str]) -> list[uuid.UUID]:
    async with connection.cursor() as cursor:
        await cursor.execute(MANAGED, {"user": user_id, "roles": roles})
        return [organization for (organization,) in await cursor.fetchall()]
