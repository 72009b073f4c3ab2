"""SQL of `automation_edges`."""

from __future__ import annotations

import uuid
from typing import Any

from psycopg import sql
from psycopg.types.json import Jsonb

from control_plane.automation.models.graph import EdgePublic
from control_plane.db import Conn, fetch_one, fetch_value
from control_plane.pagination import Listing

_PUBLIC = sql.SQL("""
id, id AS tracking_id, workflow_id AS workflow, source_node_id AS source_node,
target_node_id AS target_node, condition, label, style, created_at
""")

OF_WORKFLOW = Listing(
    row=EdgePublic,
    columns=_PUBLIC,
    source=sql.SQL("FROM automation_edges WHERE workflow_id = %(workflow)s"),
    order=sql.SQL("created_at, id"),
)

ONE = sql.SQL(
    "SELECT {columns} FROM automation_edges WHERE id = %(edge)s AND workflow_id = %(workflow)s"
).format(columns=_PUBLIC)

COUNT_OF_WORKFLOW = "SELECT count(*) FROM automation_edges WHERE workflow_id = %(workflow)s"

# How many of the two nodes belong to the workflow (2: both).
NODES_IN_WORKFLOW = """
SELECT count(*) FROM automation_nodes
WHERE workflow_id = %(workflow)s AND id IN (%(source)s, %(target)s)
"""

# ON CONFLICT: a duplicate (same source and target) inserts nothing, and returns no id.
INSERT = """
INSERT INTO automation_edges (id, workflow_id, source_node_id, target_node_id, condition,
    label, style)
VALUES (%(edge)s, %(workflow)s, %(source)s, %(target)s, %(condition)s, %(label)s, %(style)s)
ON CONFLICT (source_node_id, target_node_id) DO NOTHING
RETURNING id
"""

DELETE = "DELETE FROM automation_edges WHERE id = %(edge)s AND workflow_id = %(workflow)s"


async def one(connection: Conn, workflow_id: uuid.UUID, edge_id: uuid.UUID) -> EdgePublic | None:
    return await fetch_one(connection, EdgePublic, ONE, {"workflow": workflow_id, "edge": edge_id})


async def count_of_workflow(connection: Conn, workflow_id: uuid.UUID) -> int:
    return await fetch_value(connection, int, COUNT_OF_WORKFLOW, {"workflow": workflow_id}) or 0


async def nodes_in_workflow(
    connection: Conn, workflow_id: uuid.UUID, source: uuid.UUID, target: uuid.UUID
) -> int:
    values = {"workflow": workflow_id, "source": source, "target": target}
    return await fetch_value(connection, int, NODES_IN_WORKFLOW, values) or 0


async def insert(
    connection: Conn, edge_id: uuid.UUID, workflow_id: uuid.UUID, values: dict[str, Any]
) -> bool:
    """`values`: source, target, condition, label, style. False: the edge already existed."""
    statement = {
        **values,
        "edge": edge_id,
        "workflow": workflow_id,
        "style": Jsonb(values["style"]),
    }
    return await fetch_value(connection, uuid.UUID, INSERT, statement) is not None


async def delete(connection: Conn, workflow_id: uuid.UUID, edge_id: uuid.UUID) -> bool:
    """False: the workflow has no such edge."""
    cursor = await connection.execute(DELETE, {"workflow": workflow_id, "edge": edge_id})
    return cursor.rowcount > 0
