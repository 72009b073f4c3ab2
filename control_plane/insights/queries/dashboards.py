"""SQL of `insights_dashboards`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg import sql
from psycopg.types.json import Jsonb

from control_plane.db import Conn, fetch_one, fetch_value
from control_plane.pagination import Listing


@dataclass(frozen=True)
class DashboardRow:
    id: uuid.UUID
    organization_id: uuid.UUID
    owner_id: uuid.UUID | None
    name: str
    description: str
    reports: list[dict[str, Any]]
    created_at: datetime
    updated_at: datetime


_COLUMNS = sql.SQL(
    "d.id, d.organization_id, d.owner_id, d.name, d.description, d.reports, d.created_at, "
    "d.updated_at"
)

# The dashboards of the organisations where the caller's role is one of %(roles)s.
OF_MEMBER = Listing(
    row=DashboardRow,
    columns=_COLUMNS,
    source=sql.SQL("""
    FROM insights_dashboards AS d
    JOIN memberships AS m ON m.organization_id = d.organization_id AND m.user_id = %(user)s
    WHERE m.role = ANY(%(roles)s)
      AND (%(organization)s::uuid IS NULL OR d.organization_id = %(organization)s)
    """),
    order=sql.SQL("d.created_at DESC, d.id"),
)

ONE = sql.SQL("SELECT {columns} FROM insights_dashboards AS d WHERE d.id = %(dashboard)s").format(
    columns=_COLUMNS
)

ORGANIZATION_OF = "SELECT organization_id FROM insights_dashboards WHERE id = %(dashboard)s"

INSERT = sql.SQL("""
INSERT INTO insights_dashboards AS d (organization_id, owner_id, name, description, reports)
VALUES (%(organization)s, %(owner)s, %(name)s, %(description)s, %(reports)s)
RETURNING {columns}
""").format(columns=_COLUMNS)

UPDATE = sql.SQL("""
UPDATE insights_dashboards AS d SET
    name = coalesce(%(name)s, name),
    description = coalesce(%(description)s, description),
    reports = coalesce(%(reports)s, reports),
    updated_at = now()
WHERE id = %(dashboard)s
RETURNING {columns}
""").format(columns=_COLUMNS)

DELETE = "DELETE FROM insights_dashboards WHERE id = %(dashboard)s"


async def one(connection: Conn, dashboard_id: uuid.UUID) -> DashboardRow | None:
    return await fetch_one(connection, DashboardRow, ONE, {"dashboard": dashboard_id})


async def organization_of(connection: Conn, dashboard_id: uuid.UUID) -> uuid.UUID | None:
    return await fetch_value(connection, uuid.UUID, ORGANIZATION_OF, {"dashboard": dashboard_id})


async def insert(
    connection: Conn,
    organization_id: uuid.UUID,
    owner_id: uuid.UUID,
    name: str,
    description: str,
    reports: list[dict[str, Any]],
) -> DashboardRow:
    values = {
        "organization": organization_id,
        "owner": owner_id,
        "name": name,
        "description": description,
        "reports": Jsonb(reports),
    }
    row = await fetch_one(connection, DashboardRow, INSERT, values)
    assert row is not None
    return row


async def update(
    connection: Conn,
    dashboard_id: uuid.UUID,
    name: str | None,
    description: str | None,
    reports: list[dict[str, Any]] | None,
) -> DashboardRow:
    values = {
        "dashboard": dashboard_id,
        "name": name,
        "description": description,
        "reports": None if reports is None else Jsonb(reports),
    }
    row = await fetch_one(connection, DashboardRow, UPDATE, values)
    assert row is not None
    return row


async def delete(connection: Conn, dashboard_id: uuid.UUID) -> None:
    await connection.execute(DELETE, {"dashboard": dashboard_id})
