"""SQL of `automation_nodes`."""

from __future__ import annotations

import uuid
from typing import Any

from psycopg import sql
from psycopg.types.json import Jsonb

from control_plane.automation.models.graph import NodePublic
from control_plane.automation.node_types import NodeType
from control_plane.db import Conn, fetch_all, fetch_one, fetch_value
from control_plane.pagination import Listing

_PUBLIC = sql.SQL("""
id, id AS tracking_id, workflow_id AS workflow, name, node_type, position, config, inputs,
outputs, safe_to_repeat, created_at, updated_at
""")

OF_WORKFLOW = Listing(
    row=NodePublic,
    columns=_PUBLIC,
    source=sql.SQL("FROM automation_nodes WHERE workflow_id = %(workflow)s"),
    order=sql.SQL("created_at, id"),
)

ONE = sql.SQL(
    "SELECT {columns} FROM automation_nodes WHERE id = %(node)s AND workflow_id = %(workflow)s"
).format(columns=_PUBLIC)

COUNT_OF_WORKFLOW = "SELECT count(*) FROM automation_nodes WHERE workflow_id = %(workflow)s"

TYPES_OF_WORKFLOW = (
    "SELECT node_type, config FROM automation_nodes WHERE workflow_id = %(workflow)s"
)

# The trigger node of a workflow other than %(node)s (a workflow has at most one).
OTHER_TRIGGER = """
SELECT EXISTS (SELECT FROM automation_nodes WHERE workflow_id = %(workflow)s
               AND node_type = 'trigger' AND id <> %(node)s)
"""

INSERT = """
INSERT INTO automation_nodes (id, workflow_id, name, node_type, position, config, inputs,
    outputs, safe_to_repeat)
VALUES (%(node)s, %(workflow)s, %(name)s, %(node_type)s, %(position)s, %(config)s,
    %(inputs)s, %(outputs)s, %(safe_to_repeat)s)
"""

UPDATE = """
UPDATE automation_nodes SET
    name = coalesce(%(name)s, name),
    position = coalesce(%(position)s, position),
    config = coalesce(%(config)s, config),
    inputs = coalesce(%(inputs)s, inputs),
    outputs = coalesce(%(outputs)s, outputs),
    safe_to_repeat = coalesce(%(safe_to_repeat)s, safe_to_repeat),
    updated_at = now()
WHERE id = %(node)s
"""

DELETE = "DELETE FROM automation_nodes WHERE id = %(node)s"

_JSON_COLUMNS = ("position", "config", "inputs", "outputs")


def _as_json(values: dict[str, Any]) -> dict[str, Any]:
    return {
        key: Jsonb(value) if key in _JSON_COLUMNS and value is not None else value
        for key, value in values.items()
    }


async def one(connection: Conn, workflow_id: uuid.UUID, node_id: uuid.UUID) -> NodePublic | None:
    return await fetch_one(connection, NodePublic, ONE, {"workflow": workflow_id, "node": node_id})


async def types_of_workflow(
    connection: Conn, workflow_id: uuid.UUID
) -> list[tuple[NodeType, dict[str, Any]]]:
    """Each node's (type, config): what decides who may change or run the workflow."""
    cursor = await connection.execute(TYPES_OF_WORKFLOW, {"workflow": workflow_id})
    return [(NodeType(node_type), config) for node_type, config in await cursor.fetchall()]


async def count_of_workflow(connection: Conn, workflow_id: uuid.UUID) -> int:
    return await fetch_value(connection, int, COUNT_OF_WORKFLOW, {"workflow": workflow_id}) or 0


async def has_other_trigger(connection: Conn, workflow_id: uuid.UUID, node_id: uuid.UUID) -> bool:
    values = {"workflow": workflow_id, "node": node_id}
    return bool(await fetch_value(connection, bool, OTHER_TRIGGER, values))


async def insert(
    connection: Conn, node_id: uuid.UUID, workflow_id: uuid.UUID, values: dict[str, Any]
) -> None:
    """`values`: name, node_type, position, config, inputs, outputs, safe_to_repeat."""
    await connection.execute(INSERT, {**_as_json(values), "node": node_id, "workflow": workflow_id})


async def update(connection: Conn, node_id: uuid.UUID, changes: dict[str, Any]) -> None:
    """Set the columns in `changes`; the others keep their values."""
    values: dict[str, Any] = dict.fromkeys(("name", "safe_to_repeat", *_JSON_COLUMNS))
    values.update(changes)
    await connection.execute(UPDATE, {**_as_json(values), "node": node_id})


async def delete(connection: Conn, node_id: uuid.UUID) -> None:
    """The node with its edges (cascades)."""
    await connection.execute(DELETE, {"node": node_id})


async def all_of_workflow(connection: Conn, workflow_id: uuid.UUID) -> list[NodePublic]:
    statement = sql.SQL("SELECT {columns} {source} ORDER BY {order}").format(
        columns=OF_WORKFLOW.columns, source=OF_WORKFLOW.source, order=OF_WORKFLOW.order
    )
    return await fetch_all(connection, NodePublic, statement, {"workflow": workflow_id})
