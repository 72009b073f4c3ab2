"""SQL of `runtime_apps`: an app as its organisation's members see it (with its project,
its newest published version and where it is deployed), and the writes of its life."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from psycopg import sql

from control_plane.db import Conn, fetch_one, fetch_value
from control_plane.pagination import Listing


@dataclass(frozen=True)
class AppRow:
    id: uuid.UUID
    organization_id: uuid.UUID
    organization_name: str
    project_id: uuid.UUID
    project_name: str
    name: str
    status: str
    environment: str
    version: str | None
    latest_version: str | None
    commit: str | None
    error_message: str | None
    generation_job_id: int | None
    remote_url: str | None
    instance_url: str | None  # where it serves in its environment, once deployed there
    deployed_at: datetime | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class AppState:
    """What the rules of a write need, read under the row's lock."""

    id: uuid.UUID
    organization_id: uuid.UUID
    project_id: uuid.UUID
    status: str
    version: str | None
    generation_job_id: int | None


_COLUMNS = sql.SQL("""
a.id, a.organization_id, o.name AS organization_name, a.project_id, p.name AS project_name,
a.name, a.status, a.environment, a.version,
(SELECT v.number FROM studio_versions AS v WHERE v.project_id = a.project_id
  ORDER BY v.major DESC, v.minor DESC, v.patch DESC LIMIT 1) AS latest_version,
a.commit, a.error_message, a.generation_job_id, a.remote_url,
i.url AS instance_url, i.updated_at AS deployed_at, a.created_at, a.updated_at
""")
_JOINED = sql.SQL("""
FROM runtime_apps AS a
JOIN studio_projects AS p ON p.id = a.project_id
JOIN organizations AS o ON o.id = a.organization_id
LEFT JOIN runtime_instances AS i ON i.app_id = a.id AND i.environment = a.environment
""")

# The apps of the caller's organisations, optionally of one organisation, project, status.
OF_MEMBER = Listing(
    row=AppRow,
    columns=_COLUMNS,
    source=sql.SQL("""{joined}
JOIN memberships AS m ON m.organization_id = a.organization_id AND m.user_id = %(user)s
WHERE (%(organization)s::uuid IS NULL OR a.organization_id = %(organization)s)
  AND (%(project)s::uuid IS NULL OR a.project_id = %(project)s)
  AND (%(status)s::text IS NULL OR a.status = %(status)s)""").format(joined=_JOINED),
    order=sql.SQL("a.created_at DESC, a.id"),
)

ONE = sql.SQL("SELECT {columns} {joined} WHERE a.id = %(app)s").format(
    columns=_COLUMNS, joined=_JOINED
)

ORGANIZATION = "SELECT organization_id FROM runtime_apps WHERE id = %(app)s"

LOCK = """
SELECT id, organization_id, project_id, status, version, generation_job_id
  FROM runtime_apps WHERE id = %(app)s FOR UPDATE
"""

INSERT = """
INSERT INTO runtime_apps
    (organization_id, project_id, name, environment, version, jwt_secret, created_by)
VALUES (%(organization)s, %(project)s, %(name)s, %(environment)s, %(version)s,
        %(jwt_secret)s, %(user)s)
RETURNING id
"""

SET_GENERATION_JOB = """
UPDATE runtime_apps SET generation_job_id = %(job)s, updated_at = now() WHERE id = %(app)s
"""

# A field given as None keeps its value; the remote is set (to NULL too) only when asked.
UPDATE = """
UPDATE runtime_apps SET name = coalesce(%(name)s, name),
    environment = coalesce(%(environment)s, environment),
    remote_url = CASE WHEN %(set_remote)s THEN %(remote_url)s ELSE remote_url END,
    remote_secret = CASE WHEN %(set_remote)s THEN %(remote_secret)s ELSE remote_secret END,
    updated_at = now()
WHERE id = %(app)s
"""

REMOTE = "SELECT remote_secret FROM runtime_apps WHERE id = %(app)s"

DELETE = "DELETE FROM runtime_apps WHERE id = %(app)s"

GENERATED = """
UPDATE runtime_apps SET status = 'generated', version = %(version)s, commit = %(commit)s,
    error_message = NULL, updated_at = now()
WHERE id = %(app)s
"""

# A first generation that fails leaves the app in `error`; a failed regeneration leaves
# the earlier generation, and its status, as they were.
GENERATION_FAILED = """
UPDATE runtime_apps SET error_message = %(message)s,
    status = CASE WHEN commit IS NULL THEN 'error' ELSE status END, updated_at = now()
WHERE id = %(app)s
"""

PUSH_FAILED = """
UPDATE runtime_apps SET error_message = %(message)s, updated_at = now() WHERE id = %(app)s
"""


async def one(connection: Conn, app_id: uuid.UUID) -> AppRow | None:
    return await fetch_one(connection, AppRow, ONE, {"app": app_id})


async def organization_of(connection: Conn, app_id: uuid.UUID) -> uuid.UUID | None:
    return await fetch_value(connection, uuid.UUID, ORGANIZATION, {"app": app_id})


async def lock(connection: Conn, app_id: uuid.UUID) -> AppState | None:
    return await fetch_one(connection, AppState, LOCK, {"app": app_id})


async def insert(
    connection: Conn,
    *,
    organization_id: uuid.UUID,
    project_id: uuid.UUID,
    name: str,
    environment: str,
    version: str,
    jwt_secret: bytes,
    user_id: uuid.UUID,
) -> uuid.UUID:
    values = {
        "organization": organization_id,
        "project": project_id,
        "name": name,
        "environment": environment,
        "version": version,
        "jwt_secret": jwt_secret,
        "user": user_id,
    }
    app_id = await fetch_value(connection, uuid.UUID, INSERT, values)
    assert app_id is not None
    return app_id


async def set_generation_job(connection: Conn, app_id: uuid.UUID, job_id: int) -> None:
    await connection.execute(SET_GENERATION_JOB, {"app": app_id, "job": job_id})


async def update(
    connection: Conn,
    app_id: uuid.UUID,
    *,
    name: str | None,
    environment: str | None,
    set_remote: bool,
    remote_url: str | None,
    remote_secret: bytes | None,
) -> None:
    """`remote_url` without its password (shown), `remote_secret` the URL encrypted."""
    values = {
        "app": app_id,
        "name": name,
        "environment": environment,
        "set_remote": set_remote,
        "remote_url": remote_url,
        "remote_secret": remote_secret,
    }
    await connection.execute(UPDATE, values)


async def remote_secret(connection: Conn, app_id: uuid.UUID) -> bytes | None:
    """The app's remote URL as given, encrypted; None without a remote."""
    async with connection.cursor() as cursor:
        await cursor.execute(REMOTE, {"app": app_id})
        row = await cursor.fetchone()
    return bytes(row[0]) if row is not None and row[0] is not None else None


async def delete(connection: Conn, app_id: uuid.UUID) -> None:
    """The app with its deployments and instances (cascades)."""
    await connection.execute(DELETE, {"app": app_id})


async def generated(connection: Conn, app_id: uuid.UUID, version: str, commit: str) -> bool:
    """False when the app is gone (deleted while it was generated)."""
    values = {"app": app_id, "version": version, "commit": commit}
    cursor = await connection.execute(GENERATED, values)
    return cursor.rowcount == 1


async def generation_failed(connection: Conn, app_id: uuid.UUID, message: str) -> None:
    await connection.execute(GENERATION_FAILED, {"app": app_id, "message": message})


async def push_failed(connection: Conn, app_id: uuid.UUID, message: str) -> None:
    await connection.execute(PUSH_FAILED, {"app": app_id, "message": message})
