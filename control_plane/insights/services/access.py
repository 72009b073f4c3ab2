"""Who may read or write which Insights data: the session, and the caller's role in each
organisation, project or app named, read in one query (queries/access.py) and judged
here: 401 for a session that is over, 404 for a target that does not exist or of an
organisation the caller is not a member of (the same answer), 403 for a role without the
permission."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from control_plane.db import Conn
from control_plane.errors import NOT_AUTHENTICATED, NOT_FOUND, PERMISSION_DENIED, ApiError
from control_plane.foundation.models import Role
from control_plane.foundation.permissions import Permission, allowed
from control_plane.insights.queries import access
from control_plane.insights.queries.access import Access, Asked, Target
from control_plane.security.tokens import Claims


def asked(claims: Claims, targets: Iterable[Target]) -> list[Asked]:
    """The caller's distinct questions, in order."""
    return list(dict.fromkeys(Asked(claims.session_id, claims.user_id, t) for t in targets))


def judge(
    questions: Iterable[Asked], answers: Mapping[Asked, Access], permission: Permission
) -> dict[Target, Access]:
    """Each target's access, if the caller may `permission` in every one; ApiError
    otherwise."""
    found = {}
    for question in questions:
        granted = answers[question]
        if not granted.signed_in:
            raise ApiError(NOT_AUTHENTICATED, headers={"WWW-Authenticate": "Bearer"})
        if granted.organization_id is None or granted.role is None:
            raise ApiError(NOT_FOUND, _missing(question.target))
        if not allowed(Role(granted.role), permission):
            raise ApiError(PERMISSION_DENIED, {"role": f"{granted.role} may not {permission}."})
        found[question.target] = granted
    return found


async def check_access(
    connection: Conn, claims: Claims, target: Target, permission: Permission
) -> Access:
    """The caller's access to `target`, if they may `permission` there."""
    questions = asked(claims, [target])
    return judge(questions, await access.resolve(connection, questions), permission)[target]


def _missing(target: Target) -> dict[str, str]:
    if target.app_id is not None:
        return {"app": "No such app."}
    if target.project_id is not None:
        return {"project": "No such project."}
    return {"organization": "No such organization."}
