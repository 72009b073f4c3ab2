"""SQL of the caller's access to Insights: in one statement, that their session is open
and, for each organisation, project or app an event names, the organisation it belongs
to and the caller's role there. One round trip per tracking request, whatever its size."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from control_plane.db import Conn, fetch_all


@dataclass(frozen=True)
class Target:
    """What an event names: an organisation, a project, an app (any may be None)."""

    organization_id: uuid.UUID | None
    project_id: uuid.UUID | None
    app_id: uuid.UUID | None


@dataclass(frozen=True)
class Access:
    """A target as resolved: its organisation (None when the target does not exist or its
    parts do not belong together), its project (an app's own when only the app was
    named), and the caller's role there (None for a non-member)."""

    ordinal: int
    organization_id: uuid.UUID | None
    project_id: uuid.UUID | None
    role: str | None  # a Role


# No row at all: the session is over (logged out) or its user is gone.
ACCESS = """
SELECT t.ordinal::int AS ordinal, o.id AS organization_id,
       CASE WHEN o.id IS NULL THEN NULL ELSE coalesce(t.project_id, a.project_id) END
           AS project_id,
       m.role
FROM sessions AS s
CROSS JOIN unnest(%(organizations)s::uuid[], %(projects)s::uuid[], %(apps)s::uuid[])
    WITH ORDINALITY AS t (organization_id, project_id, app_id, ordinal)
LEFT JOIN studio_projects AS p ON p.id = t.project_id
LEFT JOIN runtime_apps AS a ON a.id = t.app_id
LEFT JOIN organizations AS o
    ON o.id = coalesce(t.organization_id, p.organization_id, a.organization_id)
   AND (t.project_id IS NULL OR p.organization_id IS NOT DISTINCT FROM o.id)
   AND (t.app_id IS NULL OR a.organization_id IS NOT DISTINCT FROM o.id)
   AND (t.app_id IS NULL OR t.project_id IS NULL OR a.project_id = t.project_id)
LEFT JOIN memberships AS m ON m.organization_id = o.id AND m.user_id = s.user_id
WHERE s.id = %(session)s AND s.user_id = %(user)s AND s.revoked_at IS NULL
ORDER BY t.ordinal
"""


async def resolve(
    connection: Conn, session_id: uuid.UUID, user_id: uuid.UUID, targets: list[Target]
) -> list[Access] | None:
    """Each target resolved, in order; None when the session is not open."""
    values = {
        "session": session_id,
        "user": user_id,
        "organizations": [target.organization_id for target in targets],
        "projects": [target.project_id for target in targets],
        "apps": [target.app_id for target in targets],
    }
    rows = await fetch_all(connection, Access, ACCESS, values)
    return rows or None
