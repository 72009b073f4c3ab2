"""SQL of the `studio_projects` table: projects as their organisation's members see them,
and the draft spec a write changes under a row lock."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from psycopg import sql
from psycopg.types.json import Json

from control_plane.db import Conn, fetch_one, fetch_value
from control_plane.pagination import Listing
from control_plane.studio.models.projects import ProjectPublic, ProjectStatus


@dataclass(frozen=True)
class Draft:
    """A project's draft spec, with what a write needs to know of the project."""

    id: uuid.UUID
    organization_id: uuid.UUID
    name: str
    description: str
    status: ProjectStatus
    spec: dict[str, Any]


_PUBLIC = sql.SQL("""
p.id, p.organization_id, p.name, p.description, p.slug, p.status,
(SELECT v.number FROM studio_versions AS v WHERE v.project_id = p.id
 ORDER BY v.major DESC, v.minor DESC, v.patch DESC LIMIT 1) AS latest_version,
jsonb_array_length(p.table_ids) AS tables_count, p.created_at, p.updated_at
""")

# The projects of the caller's organisations, optionally of one organisation and status.
OF_MEMBER = Listing(
    row=ProjectPublic,
    columns=_PUBLIC,
    source=sql.SQL("""
    FROM studio_projects AS p
    JOIN memberships AS m ON m.organization_id = p.organization_id AND m.user_id = %(user)s
    WHERE (%(organization)s::uuid IS NULL OR p.organization_id = %(organization)s)
    AND (%(status)s::text IS NULL OR p.status = %(status)s)
    """),
    order=sql.SQL("p.created_at DESC, p.id"),
)

ONE = sql.SQL("SELECT {columns} FROM studio_projects AS p WHERE p.id = %(project)s").format(
    columns=_PUBLIC
)

ORGANIZATION_OF = "SELECT organization_id FROM studio_projects WHERE id = %(project)s"

# The project whose draft has a table of this stable id (ids are unique across projects).
WITH_TABLE = "SELECT id FROM studio_projects WHERE table_ids @> to_jsonb(%(table)s::text)"

DRAFT_FOR_UPDATE = """
SELECT id, organization_id, name, description, status, spec FROM studio_projects
WHERE id = %(project)s FOR UPDATE
"""

DRAFT = """
SELECT id, organization_id, name, description, status, spec FROM studio_projects
WHERE id = %(project)s
"""

COUNT_OF_ORGANIZATION = (
    "SELECT count(*) FROM studio_projects WHERE organization_id = %(organization)s"
)

INSERT = """
INSERT INTO studio_projects (id, organization_id, name, description, status, spec, created_by)
VALUES (%(id)s, %(organization)s, %(name)s, %(description)s, %(status)s, %(spec)s, %(user)s)
"""

UPDATE = """
UPDATE studio_projects SET name = %(name)s, description = %(description)s, spec = %(spec)s,
    updated_at = now()
WHERE id = %(project)s
"""

SET_SPEC = "UPDATE studio_projects SET spec = %(spec)s, updated_at = now() WHERE id = %(project)s"

SET_PUBLISHED = """
UPDATE studio_projects SET status = 'published', updated_at = now() WHERE id = %(project)s
"""

DELETE = "DELETE FROM studio_projects WHERE id = %(project)s"


async def one(connection: Conn, project_id: uuid.UUID) -> ProjectPublic | None:
    return await fetch_one(connection, ProjectPublic, ONE, {"project": project_id})


async def organization_of(connection: Conn, project_id: uuid.UUID) -> uuid.UUID | None:
    return await fetch_value(connection, uuid.UUID, ORGANIZATION_OF, {"project": project_id})


async def with_table(connection: Conn, table_id: str) -> uuid.UUID | None:
    return await fetch_value(connection, uuid.UUID, WITH_TABLE, {"table": table_id})


async def draft(connection: Conn, project_id: uuid.UUID, *, lock: bool = False) -> Draft:
    """The project's draft; `lock` holds its row until the transaction ends."""
    query = DRAFT_FOR_UPDATE if lock else DRAFT
    found = await fetch_one(connection, Draft, query, {"project": project_id})
    assert found is not None  # called once the project is known
    return found


async def count_of_organization(connection: Conn, organization_id: uuid.UUID) -> int:
    values = {"organization": organization_id}
    return await fetch_value(connection, int, COUNT_OF_ORGANIZATION, values) or 0


async def insert(
    connection: Conn,
    project_id: uuid.UUID,
    organization_id: uuid.UUID,
    user_id: uuid.UUID,
    name: str,
    description: str,
    spec: dict[str, Any],
    status: ProjectStatus = ProjectStatus.DRAFT,
) -> None:
    values = {
        "id": project_id,
        "organization": organization_id,
        "user": user_id,
        "name": name,
        "description": description,
        "status": status,
        "spec": Json(spec),
    }
    await connection.execute(INSERT, values)


async def update(
    connection: Conn, project_id: uuid.UUID, name: str, description: str, spec: dict[str, Any]
) -> None:
    values = {"project": project_id, "name": name, "description": description, "spec": Json(spec)}
    await connection.execute(UPDATE, values)


async def set_spec(connection: Conn, project_id: uuid.UUID, spec: dict[str, Any]) -> None:
    await connection.execute(SET_SPEC, {"project": project_id, "spec": Json(spec)})


async def set_published(connection: Conn, project_id: uuid.UUID) -> None:
    await connection.execute(SET_PUBLISHED, {"project": project_id})


async def delete(connection: Conn, project_id: uuid.UUID) -> None:
    """The project with its versions, pages and components (cascades)."""
    await connection.execute(DELETE, {"project": project_id})
