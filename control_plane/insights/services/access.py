"""Who may read or write which Insights data: the session and the caller's role in each
organisation, project or app named, checked in one query (queries/access.py)."""

from __future__ import annotations

from collections.abc import Sequence

from control_plane.db import Conn
from control_plane.errors import NOT_AUTHENTICATED, NOT_FOUND, PERMISSION_DENIED, ApiError
from control_plane.foundation.models import Role
from control_plane.foundation.permissions import Permission, allowed
from control_plane.insights.queries import access
from control_plane.insights.queries.access import Access, Target
from control_plane.security.tokens import Claims


async def check_access(
    connection: Conn, claims: Claims, targets: Sequence[Target], permission: Permission
) -> dict[Target, Access]:
    """Each target's access, if the session is open and the caller has `permission` in
    every target's organisation: 401, 404 (no such target, or not a member: the same
    answer) or 403 otherwise."""
    unique = list(dict.fromkeys(targets))
    resolved = await access.resolve(connection, claims.session_id, claims.user_id, unique)
    if resolved is None:
        raise ApiError(NOT_AUTHENTICATED, headers={"WWW-Authenticate": "Bearer"})
    found = dict(zip(unique, resolved, strict=True))
    for target, granted in found.items():
        if granted.organization_id is None or granted.role is None:
            raise ApiError(NOT_FOUND, _missing(target))
        if not allowed(Role(granted.role), permission):
            raise ApiError(PERMISSION_DENIED, {"role": f"{granted.role} may not {permission}."})
    return found


def _missing(target: Target) -> dict[str, str]:
    if target.app_id is not None:
        return {"app": "No such app."}
    if target.project_id is not None:
        return {"project": "No such project."}
    return {"organization": "No such organization."}
