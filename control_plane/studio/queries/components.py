"""SQL of `studio_components`: bindings as stable ids, resolved to names by the service."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg import sql
from psycopg.types.json import Json

from control_plane.db import Conn, fetch_all, fetch_one, fetch_value
from control_plane.pagination import Listing


@dataclass(frozen=True)
class ComponentRow:
    id: uuid.UUID
    page: uuid.UUID
    project: uuid.UUID
    page_name: str
    type: str
    position: int
    table_id: str | None
    field_ids: list[str]
    options: dict[str, Any]
    created_at: datetime
    updated_at: datetime


_COLUMNS = sql.SQL("""
c.id, c.page_id AS page, g.project_id AS project, g.name AS page_name, c.type, c.position,
c.table_id, c.field_ids, c.options, c.created_at, c.updated_at
""")
_ORDER = sql.SQL("c.position, c.created_at, c.id")

OF_MEMBER = Listing(
    row=ComponentRow,
    columns=_COLUMNS,
    source=sql.SQL("""
    FROM studio_components AS c JOIN studio_pages AS g ON g.id = c.page_id
    JOIN studio_projects AS p ON p.id = g.project_id
    JOIN memberships AS m ON m.organization_id = p.organization_id AND m.user_id = %(user)s
    WHERE (%(page)s::uuid IS NULL OR c.page_id = %(page)s)
    AND (%(project)s::uuid IS NULL OR g.project_id = %(project)s)
    """),
    order=sql.SQL("p.created_at DESC, p.id, g.route, {order}").format(order=_ORDER),
)

ONE = sql.SQL("""
SELECT {columns} FROM studio_components AS c JOIN studio_pages AS g ON g.id = c.page_id
WHERE c.id = %(component)s
""").format(columns=_COLUMNS)

OF_PROJECT = sql.SQL("""
SELECT {columns} FROM studio_components AS c JOIN studio_pages AS g ON g.id = c.page_id
WHERE g.project_id = %(project)s ORDER BY g.route, {order}
""").format(columns=_COLUMNS, order=_ORDER)

NEXT_POSITION = """
SELECT coalesce(max(position) + 1, 0) FROM studio_components WHERE page_id = %(page)s
"""

# Make room at `position`: the components there and after it move one place down.
MAKE_ROOM = """
UPDATE studio_components SET position = position + 1
WHERE page_id = %(page)s AND position >= %(position)s AND id <> %(component)s
"""

INSERT = """
INSERT INTO studio_components (id, page_id, type, position, table_id, field_ids, options)
VALUES (%(component)s, %(page)s, %(type)s, %(position)s, %(table)s, %(fields)s, %(options)s)
"""

UPDATE = """
UPDATE studio_components SET type = %(type)s, position = %(position)s, table_id = %(table)s,
    field_ids = %(fields)s, options = %(options)s, updated_at = now()
WHERE id = %(component)s
"""

DELETE = "DELETE FROM studio_components WHERE id = %(component)s"


async def one(connection: Conn, component_id: uuid.UUID) -> ComponentRow | None:
    return await fetch_one(connection, ComponentRow, ONE, {"component": component_id})


async def of_project(connection: Conn, project_id: uuid.UUID) -> list[ComponentRow]:
    """Every component of the project, page by page, each page's in order."""
    return await fetch_all(connection, ComponentRow, OF_PROJECT, {"project": project_id})


async def next_position(connection: Conn, page_id: uuid.UUID) -> int:
    return await fetch_value(connection, int, NEXT_POSITION, {"page": page_id}) or 0


async def make_room(
    connection: Conn, page_id: uuid.UUID, position: int, component_id: uuid.UUID
) -> None:
    values = {"page": page_id, "position": position, "component": component_id}
    await connection.execute(MAKE_ROOM, values)


async def save(connection: Conn, row: ComponentRow, *, new: bool) -> None:
    """Insert the component (`new`) or update it to `row`."""
    values = {
        "component": row.id,
        "page": row.page,
        "type": row.type,
        "position": row.position,
        "table": row.table_id,
        "fields": Json(row.field_ids),
        "options": Json(row.options),
    }
    await connection.execute(INSERT if new else UPDATE, values)


async def delete(connection: Conn, component_id: uuid.UUID) -> None:
    await connection.execute(DELETE, {"component": component_id})
