"""SQL of `studio_pages`; a page lists its components' ids in their order."""

from __future__ import annotations

import uuid

from psycopg import sql

from control_plane.db import Conn, fetch_all, fetch_one, fetch_value
from control_plane.pagination import Listing
from control_plane.studio.models.pages import PagePublic

_PUBLIC = sql.SQL("""
g.id, g.project_id AS project, g.name, g.route, g.layout,
ARRAY(SELECT c.id FROM studio_components AS c WHERE c.page_id = g.id
      ORDER BY c.position, c.created_at, c.id) AS components,
g.created_at, g.updated_at
""")

OF_MEMBER = Listing(
    row=PagePublic,
    columns=_PUBLIC,
    source=sql.SQL("""
    FROM studio_pages AS g JOIN studio_projects AS p ON p.id = g.project_id
    JOIN memberships AS m ON m.organization_id = p.organization_id AND m.user_id = %(user)s
    WHERE (%(project)s::uuid IS NULL OR g.project_id = %(project)s)
    """),
    order=sql.SQL("p.created_at DESC, p.id, g.route"),
)

ONE = sql.SQL("SELECT {columns} FROM studio_pages AS g WHERE g.id = %(page)s").format(
    columns=_PUBLIC
)

ALL_OF_PROJECT = sql.SQL("""
SELECT {columns} FROM studio_pages AS g WHERE g.project_id = %(project)s
ORDER BY g.route
""").format(columns=_PUBLIC)

PROJECT_OF = "SELECT project_id FROM studio_pages WHERE id = %(page)s"

ROUTE_TAKEN = """
SELECT EXISTS (SELECT FROM studio_pages
               WHERE project_id = %(project)s AND route = %(route)s AND id <> %(page)s)
"""

INSERT = """
INSERT INTO studio_pages (id, project_id, name, route, layout)
VALUES (%(page)s, %(project)s, %(name)s, %(route)s, %(layout)s)
"""

UPDATE = """
UPDATE studio_pages SET name = coalesce(%(name)s, name), route = coalesce(%(route)s, route),
    layout = coalesce(%(layout)s, layout), updated_at = now()
WHERE id = %(page)s
"""

DELETE = "DELETE FROM studio_pages WHERE id = %(page)s"


async def one(connection: Conn, page_id: uuid.UUID) -> PagePublic | None:
    return await fetch_one(connection, PagePublic, ONE, {"page": page_id})


async def all_of_project(connection: Conn, project_id: uuid.UUID) -> list[PagePublic]:
    return await fetch_all(connection, PagePublic, ALL_OF_PROJECT, {"project": project_id})


async def project_of(connection: Conn, page_id: uuid.UUID) -> uuid.UUID | None:
    return await fetch_value(connection, uuid.UUID, PROJECT_OF, {"page": page_id})


async def route_taken(
    connection: Conn, project_id: uuid.UUID, route: str, page_id: uuid.UUID
) -> bool:
    values = {"project": project_id, "route": route, "page": page_id}
    return bool(await fetch_value(connection, bool, ROUTE_TAKEN, values))


async def insert(
    connection: Conn, page_id: uuid.UUID, project_id: uuid.UUID, name: str, route: str, layout: str
) -> None:
    values = {"page": page_id, "project": project_id, "name": name, "route": route}
    await connection.execute(INSERT, {**values, "layout": layout})


async def update(
    connection: Conn,
    page_id: uuid.UUID,
    name: str | None,
    route: str | None,
    layout: str | None,
) -> None:
    values = {"page": page_id, "name": name, "route": route, "layout": layout}
    await connection.execute(UPDATE, values)


async def delete(connection: Conn, page_id: uuid.UUID) -> None:
    """The page with its components (cascades)."""
    await connection.execute(DELETE, {"page": page_id})
