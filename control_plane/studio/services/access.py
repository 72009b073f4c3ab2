"""Who may reach a project: the permission of its organisation, and for anyone who is not
a member the same 404 as for a project that does not exist, so ids cannot be probed."""

from __future__ import annotations

import uuid

from control_plane.db import Conn
from control_plane.errors import NOT_FOUND, ApiError
from control_plane.foundation.permissions import Permission, authorize_object
from control_plane.studio.queries import projects

NO_PROJECT = {"project": "No such project."}
NO_TABLE = {"table": "No such table."}


async def authorize_project(
    connection: Conn,
    user_id: uuid.UUID,
    project_id: uuid.UUID,
    permission: Permission,
    missing: dict[str, str] = NO_PROJECT,
) -> uuid.UUID:
    """The project's organisation, if the caller's role there grants `permission`; else
    404 with `missing` (what the caller asked for: the project, or one of its objects)."""
    organization_id = await projects.organization_of(connection, project_id)
    await authorize_object(connection, user_id, organization_id, permission, missing)
    assert organization_id is not None  # a missing project was refused
    return organization_id


async def project_of_table(connection: Conn, table_id: str) -> uuid.UUID:
    """The project whose draft has the table (404 when none); no permission checked."""
    project_id = await projects.with_table(connection, table_id)
    if project_id is None:
        raise ApiError(NOT_FOUND, NO_TABLE)
    return project_id


async def authorize_table(
    connection: Conn, user_id: uuid.UUID, table_id: str, permission: Permission
) -> uuid.UUID:
    """The project of the table, if the caller may `permission` it; 404 alike otherwise."""
    project_id = await project_of_table(connection, table_id)
    await authorize_project(connection, user_id, project_id, permission, NO_TABLE)
    return project_id
