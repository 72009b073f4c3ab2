"""Where a project's data is served: the app of the project deployed in an environment
(the most recently deployed when several are), with the key of its tokens."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from control_plane.db import Conn, fetch_one


@dataclass(frozen=True)
class DeployedApp:
    """A project's organisation and, when one is deployed in the environment, its app."""

    organization_id: uuid.UUID
    project_id: uuid.UUID
    app_id: uuid.UUID | None
    url: str | None  # the instance's base URL, http://127.0.0.1:PORT for the local target
    jwt_secret: bytes | None  # encrypted (platform_support.vault)


OF_PROJECT = """
SELECT p.organization_id, p.id AS project_id, deployed.id AS app_id, deployed.url,
       deployed.jwt_secret
FROM studio_projects AS p
LEFT JOIN LATERAL (
    SELECT a.id, i.url, a.jwt_secret
    FROM runtime_apps AS a
    JOIN runtime_instances AS i ON i.app_id = a.id AND i.environment = %(environment)s
    WHERE a.project_id = p.id
    ORDER BY i.updated_at DESC, a.id
    LIMIT 1
) AS deployed ON true
WHERE p.id = %(project)s
"""

OF_APP = """
SELECT a.organization_id, a.project_id, a.id AS app_id, i.url, a.jwt_secret
FROM runtime_apps AS a
LEFT JOIN runtime_instances AS i ON i.app_id = a.id AND i.environment = %(environment)s
WHERE a.id = %(app)s
"""


async def of_project(
    connection: Conn, project_id: uuid.UUID, environment: str
) -> DeployedApp | None:
    """None for an unknown project."""
    values = {"project": project_id, "environment": environment}
    return await fetch_one(connection, DeployedApp, OF_PROJECT, values)


async def of_app(connection: Conn, app_id: uuid.UUID, environment: str) -> DeployedApp | None:
    """None for an unknown app; `url` None when it is not deployed in the environment."""
    values = {"app": app_id, "environment": environment}
    return await fetch_one(connection, DeployedApp, OF_APP, values)
