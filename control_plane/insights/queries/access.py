"""SQL of callers' access to Insights: in one statement, for each (session, organisation
or project or app) asked, whether the session is open, the organisation the target
belongs to and the caller's role there. One query answers a whole flush of tracking
requests (services/writer.py), whatever their number and size."""

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
class Asked:
    """A caller (their access token's session and user) and a target."""

    session_id: uuid.UUID
    user_id: uuid.UUID
    target: Target


@dataclass(frozen=True)
class Access:
    """A target as resolved for a caller: whether their session is open; the target's
    organisation (None when the target does not exist or its parts do not belong
    together); its project (an app's own when only the app was named); the caller's role
    there (None for a non-member)."""

    ordinal: int
    signed_in: bool
    organization_id: uuid.UUID | None
    project_id: uuid.UUID | None
    role: str | None  # a Role


ACCESS = """
SELECT t.ordinal::int AS ordinal, s.id IS NOT NULL AS signed_in, o.id AS organization_id,
       CASE WHEN o.id IS NULL THEN NULL ELSE coalesce(t.project_id, a.project_id) END
           AS project_id,
       m.role
FROM unnest(%(sessions)s::uuid[], %(users)s::uuid[], %(organizations)s::uuid[],
            %(projects)s::uuid[], %(apps)s::uuid[])
    WITH ORDINALITY AS t (session_id, user_id, organization_id, project_id, app_id, ordinal)
LEFT JOIN sessions AS s
    ON s.id = t.session_id AND s.user_id = t.user_id AND s.revoked_at IS NULL
LEFT JOIN studio_projects AS p ON p.id = t.project_id
LEFT JOIN runtime_apps AS a ON a.id = t.app_id
LEFT JOIN organizations AS o
    ON o.id = coalesce(t.organization_id, p.organization_id, a.organization_id)
   AND (t.project_id IS NULL OR p.organization_id IS NOT DISTINCT FROM o.id)
   AND (t.app_id IS NULL OR a.organization_id IS NOT DISTINCT FROM o.id)
   AND (t.app_id IS NULL OR t.project_id IS NULL OR a.project_id = t.project_id)
LEFT JOIN memberships AS m ON m.organization_id = o.id AND m.user_id = s.user_id
ORDER BY t.ordinal
"""


async def resolve(connection: Conn, asked: list[Asked]) -> dict[Asked, Access]:
    values = {
        "sessions": [one.session_id for one in asked],
        "users": [one.user_id for one in asked],
        "organizations": [one.target.organization_id for one in asked],
        "projects": [one.target.project_id for one in asked],
        "apps": [one.target.app_id for one in asked],
    }
    rows = await fetch_all(connection, Access, ACCESS, values)
    return dict(zip(asked, rows, strict=True))
