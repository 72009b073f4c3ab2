"""SQL of `runtime_deployments` (a deployment or rollback: a run of the ledger with what it
deployed, where), and of the app's deployment status in `runtime_apps`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg import sql

from control_plane.db import Conn, fetch_all, fetch_one, fetch_value
from control_plane.pagination import Listing
from control_plane.runs.models import RunKind, RunStatus


@dataclass(frozen=True)
class DeployableApp:
    """An app as a deployment needs it."""

    id: uuid.UUID
    organization_id: uuid.UUID
    project_id: uuid.UUID
    name: str
    status: str
    environment: str
    version: str | None
    commit: str | None
    jwt_secret: bytes  # encrypted
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class Deployment:
    """A run of a deployment or rollback, with its app, environment, target and author."""

    id: uuid.UUID
    organization_id: uuid.UUID
    kind: RunKind
    status: RunStatus
    job_id: int | None
    error_code: str | None
    error_message: str | None
    details: dict[str, Any]
    created_at: datetime
    started_at: datetime | None
    completed_at: datetime | None
    app_id: uuid.UUID
    app_name: str
    environment: str
    target_id: uuid.UUID | None
    version: str | None
    commit: str | None
    retry_of: uuid.UUID | None
    performed_by_id: uuid.UUID | None
    performed_by_email: str | None
    performed_by_name: str | None

    def __post_init__(self) -> None:  # the row's text as the enums it is
        object.__setattr__(self, "kind", RunKind(self.kind))
        object.__setattr__(self, "status", RunStatus(self.status))


APP = """
SELECT id, organization_id, project_id, name, status, environment, version, commit, jwt_secret,
       created_at, updated_at
FROM runtime_apps WHERE id = %(app)s
"""

LOCK_APP = "SELECT 1 FROM runtime_apps WHERE id = %(app)s FOR UPDATE"

SET_APP_STATUS = """
UPDATE runtime_apps SET status = %(status)s, error_message = %(error)s, updated_at = now()
WHERE id = %(app)s
"""

_COLUMNS = sql.SQL("""
r.id, r.organization_id, r.kind, r.status, r.job_id, r.error_code, r.error_message, r.details,
r.created_at, r.started_at, r.completed_at, d.app_id, a.name AS app_name, d.environment,
d.target_id, d.version, d.commit, d.retry_of, u.id AS performed_by_id,
u.email AS performed_by_email,
nullif(trim(u.first_name || ' ' || u.last_name), '') AS performed_by_name
""")
_FROM = sql.SQL("""
FROM runtime_deployments AS d JOIN runs AS r ON r.id = d.run_id
JOIN runtime_apps AS a ON a.id = d.app_id LEFT JOIN users AS u ON u.id = r.performed_by
""")

ONE = sql.SQL("SELECT {columns} {source} WHERE d.run_id = %(run)s").format(
    columns=_COLUMNS, source=_FROM
)

# The deployment logs of the caller's organisations; each filter applies when given.
OF_MEMBER = Listing(
    row=Deployment,
    columns=_COLUMNS,
    source=sql.SQL("""{source}
JOIN memberships AS m ON m.organization_id = r.organization_id AND m.user_id = %(user)s
WHERE (%(app)s::uuid IS NULL OR d.app_id = %(app)s)
  AND (%(status)s::text IS NULL OR r.status = %(status)s)
  AND (%(environment)s::text IS NULL OR d.environment = %(environment)s)""").format(source=_FROM),
    order=sql.SQL("r.created_at DESC, r.id"),
)

OF_APP = sql.SQL("""
SELECT {columns} {source} WHERE d.app_id = %(app)s
ORDER BY r.created_at DESC, r.id LIMIT %(limit)s
""").format(columns=_COLUMNS, source=_FROM)

COUNT_OF_APP = "SELECT count(*) FROM runtime_deployments WHERE app_id = %(app)s"

LATEST = sql.SQL("""
SELECT {columns} {source} WHERE d.app_id = %(app)s AND d.environment = %(environment)s
  AND (%(status)s::text IS NULL OR r.status = %(status)s)
  AND (%(kind)s::text IS NULL OR r.kind = %(kind)s)
ORDER BY r.created_at DESC, r.id LIMIT 1
""").format(columns=_COLUMNS, source=_FROM)

# A run of the app's environment not finished yet: deploying again at once would race it.
IN_PROGRESS = """
SELECT d.run_id FROM runtime_deployments AS d JOIN runs AS r ON r.id = d.run_id
WHERE d.app_id = %(app)s AND d.environment = %(environment)s
  AND r.status IN ('pending', 'running')
LIMIT 1
"""

# The last successful deployment of another commit before `before` in the environment:
# what a rollback puts back (a redeployment of the same commit is the same release).
PREVIOUS_SUCCESS = sql.SQL("""
SELECT {columns} {source} WHERE d.app_id = %(app)s AND d.environment = %(environment)s
  AND r.kind = 'deployment' AND r.status = 'success' AND r.created_at < %(before)s
  AND d.commit IS DISTINCT FROM %(commit)s
ORDER BY r.created_at DESC, r.id LIMIT 1
""").format(columns=_COLUMNS, source=_FROM)

INSERT = """
INSERT INTO runtime_deployments (run_id, app_id, environment, target_id, version, commit, retry_of)
VALUES (%(run)s, %(app)s, %(environment)s, %(target)s, %(version)s, %(commit)s, %(retry_of)s)
"""

SET_VERSION = """
UPDATE runtime_deployments SET version = %(version)s, commit = %(commit)s WHERE run_id = %(run)s
"""


async def app(connection: Conn, app_id: uuid.UUID) -> DeployableApp | None:
    return await fetch_one(connection, DeployableApp, APP, {"app": app_id})


async def lock_app(connection: Conn, app_id: uuid.UUID) -> None:
    """Serialize the deployments started for one app."""
    await connection.execute(LOCK_APP, {"app": app_id})


async def set_app_status(
    connection: Conn, app_id: uuid.UUID, status: str, error: str | None = None
) -> None:
    await connection.execute(SET_APP_STATUS, {"app": app_id, "status": status, "error": error})


async def one(connection: Conn, run_id: uuid.UUID) -> Deployment | None:
    return await fetch_one(connection, Deployment, ONE, {"run": run_id})


async def of_app(connection: Conn, app_id: uuid.UUID, limit: int) -> list[Deployment]:
    return await fetch_all(connection, Deployment, OF_APP, {"app": app_id, "limit": limit})


async def count_of_app(connection: Conn, app_id: uuid.UUID) -> int:
    return await fetch_value(connection, int, COUNT_OF_APP, {"app": app_id}) or 0


async def latest(
    connection: Conn,
    app_id: uuid.UUID,
    environment: str,
    *,
    status: RunStatus | None = None,
    kind: RunKind | None = None,
) -> Deployment | None:
    values = {"app": app_id, "environment": environment, "status": status, "kind": kind}
    return await fetch_one(connection, Deployment, LATEST, values)


async def in_progress(connection: Conn, app_id: uuid.UUID, environment: str) -> bool:
    values = {"app": app_id, "environment": environment}
    return await fetch_value(connection, uuid.UUID, IN_PROGRESS, values) is not None


async def previous_success(connection: Conn, deployment: Deployment) -> Deployment | None:
    values = {
        "app": deployment.app_id,
        "environment": deployment.environment,
        "before": deployment.created_at,
        "commit": deployment.commit,
    }
    return await fetch_one(connection, Deployment, PREVIOUS_SUCCESS, values)


async def insert(
    connection: Conn,
    run_id: uuid.UUID,
    app_id: uuid.UUID,
    environment: str,
    target_id: uuid.UUID | None,
    version: str | None,
    commit: str | None,
    retry_of: uuid.UUID | None,
) -> None:
    values = {
        "run": run_id,
        "app": app_id,
        "environment": environment,
        "target": target_id,
        "version": version,
        "commit": commit,
        "retry_of": retry_of,
    }
    await connection.execute(INSERT, values)


async def set_version(
    connection: Conn, run_id: uuid.UUID, version: str | None, commit: str | None
) -> None:
    await connection.execute(SET_VERSION, {"run": run_id, "version": version, "commit": commit})
