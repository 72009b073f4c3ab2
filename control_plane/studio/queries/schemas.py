"""The tables of projects' drafts, read from their spec documents (`json_each` keeps the
order of the spec)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from psycopg import sql

from control_plane.pagination import Listing


@dataclass(frozen=True)
class TableRow:
    project: uuid.UUID
    name: str
    table: dict[str, Any]


# The tables of the caller's organisations' projects, optionally of one project.
OF_MEMBER = Listing(
    row=TableRow,
    columns=sql.SQL("p.id AS project, t.name, t.body AS table"),
    source=sql.SQL("""
    FROM studio_projects AS p
    JOIN memberships AS m ON m.organization_id = p.organization_id AND m.user_id = %(user)s
    CROSS JOIN LATERAL json_each(p.spec->'tables') WITH ORDINALITY AS t(name, body, position)
    WHERE (%(project)s::uuid IS NULL OR p.id = %(project)s)
    """),
    order=sql.SQL("p.created_at DESC, p.id, t.position"),
)
