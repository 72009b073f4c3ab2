"""SQL of the performance list: the entries it has (each deployed app in each environment
of the organisation, and the control plane's own for those who may see it)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from psycopg import sql

from control_plane.db import Conn, fetch_value
from control_plane.pagination import Listing


@dataclass(frozen=True)
class Entry:
    app_id: uuid.UUID | None  # None: the control plane
    project_id: uuid.UUID | None
    name: str
    environment: str | None


PLATFORM_NAME = "control-plane"

ENTRIES = Listing(
    row=Entry,
    columns=sql.SQL("app_id, project_id, name, environment"),
    source=sql.SQL("""
FROM (
    SELECT NULL::uuid AS app_id, NULL::uuid AS project_id, %(platform_name)s AS name,
           NULL::text AS environment, 0 AS rank
    WHERE %(platform)s
    UNION ALL
    SELECT i.app_id, a.project_id, a.name, i.environment, 1
    FROM runtime_instances i JOIN runtime_apps a ON a.id = i.app_id
    WHERE a.organization_id = %(organization)s
      AND (%(project)s::uuid IS NULL OR a.project_id = %(project)s)
      AND (%(app)s::uuid IS NULL OR a.id = %(app)s)
      AND (%(environment)s::text IS NULL OR i.environment = %(environment)s)
) AS entries"""),
    order=sql.SQL("rank, name, app_id, environment"),
)

APP_ORGANIZATION = "SELECT organization_id FROM runtime_apps WHERE id = %(app)s"


async def app_organization(connection: Conn, app_id: uuid.UUID) -> uuid.UUID | None:
    return await fetch_value(connection, uuid.UUID, APP_ORGANIZATION, {"app": app_id})
