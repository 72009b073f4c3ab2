"""SQL of `automation_workflows`: workflows with their counts and execution figures, as the
members of their organisation see them."""

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
class WorkflowRow:
    id: uuid.UUID
    organization_id: uuid.UUID
    project_id: uuid.UUID
    project_name: str
    name: str
    description: str
    status: str
    trigger_type: str
    trigger_config: dict[str, Any]
    settings: dict[str, Any]
    nodes_count: int
    edges_count: int
    executions_count: int
    success_rate: float | None
    last_executed: datetime | None
    created_at: datetime
    updated_at: datetime


_COLUMNS = sql.SQL("""
w.id, w.organization_id, w.project_id, p.name AS project_name, w.name, w.description,
w.status, w.trigger_type, w.trigger_config, w.settings,
(SELECT count(*) FROM automation_nodes AS n WHERE n.workflow_id = w.id) AS nodes_count,
(SELECT count(*) FROM automation_edges AS e WHERE e.workflow_id = w.id) AS edges_count,
x.executions_count, x.success_rate, x.last_executed, w.created_at, w.updated_at
""")

# Live executions only: a test run (POST /test/) is not one of the workflow's runs.
_WITH_EXECUTIONS = sql.SQL("""
FROM automation_workflows AS w JOIN studio_projects AS p ON p.id = w.project_id
CROSS JOIN LATERAL (
    SELECT count(*) AS executions_count,
           (count(*) FILTER (WHERE r.status = 'success'))::float
               / nullif(count(*) FILTER (WHERE r.status IN ('success', 'failed', 'cancelled')),
                        0) AS success_rate,
           max(coalesce(r.started_at, r.created_at)) AS last_executed
    FROM automation_executions AS x JOIN runs AS r ON r.id = x.run_id
    WHERE x.workflow_id = w.id AND x.mode = 'live'
) AS x
""")

# The workflows of the organisations where the caller's role is one of %(roles)s.
OF_MEMBER = Listing(
    row=WorkflowRow,
    columns=_COLUMNS,
    source=sql.SQL("""
    {source}
    JOIN memberships AS m ON m.organization_id = w.organization_id AND m.user_id = %(user)s
    WHERE m.role = ANY(%(roles)s)
      AND (%(project)s::uuid IS NULL OR w.project_id = %(project)s)
      AND (%(status)s::text IS NULL OR w.status = %(status)s)
      AND (%(trigger_type)s::text IS NULL OR w.trigger_type = %(trigger_type)s)
    """).format(source=_WITH_EXECUTIONS),
    order=sql.SQL("w.created_at DESC, w.id"),
)

ONE = sql.SQL("SELECT {columns} {source} WHERE w.id = %(workflow)s").format(
    columns=_COLUMNS, source=_WITH_EXECUTIONS
)

ORGANIZATION_OF = "SELECT organization_id FROM automation_workflows WHERE id = %(workflow)s"

# Creations in a project take turns on its row, so that they cannot pass the limit
# together. A statement of its own: a count in the locking statement would still read the
# snapshot taken before the wait.
LOCK_PROJECT = "SELECT 1 FROM studio_projects WHERE id = %(project)s FOR UPDATE"

COUNT_OF_PROJECT = "SELECT count(*) FROM automation_workflows WHERE project_id = %(project)s"

INSERT = """
INSERT INTO automation_workflows (id, organization_id, project_id, name, description,
    trigger_type, trigger_config, settings, created_by)
VALUES (%(workflow)s, %(organization)s, %(project)s, %(name)s, %(description)s,
    %(trigger_type)s, %(trigger_config)s, %(settings)s, %(user)s)
"""

UPDATE = """
UPDATE automation_workflows SET
    name = coalesce(%(name)s, name),
    description = coalesce(%(description)s, description),
    status = coalesce(%(status)s, status),
    trigger_type = coalesce(%(trigger_type)s, trigger_type),
    trigger_config = coalesce(%(trigger_config)s, trigger_config),
    settings = coalesce(%(settings)s, settings),
    updated_at = now()
WHERE id = %(workflow)s
"""

# Graph changes make the workflow newer too (the engine's cache of a graph may go by it),
# and take its row lock: concurrent changes of one graph take turns.
TOUCH = "UPDATE automation_workflows SET updated_at = now() WHERE id = %(workflow)s"

DELETE = "DELETE FROM automation_workflows WHERE id = %(workflow)s"

# The jobs of the workflow's executions in progress (an inline run has none).
RUNNING_JOBS = """
SELECT r.job_id FROM automation_executions AS x JOIN runs AS r ON r.id = x.run_id
WHERE x.workflow_id = %(workflow)s AND r.status IN ('pending', 'running')
  AND r.job_id IS NOT NULL
"""


async def one(connection: Conn, workflow_id: uuid.UUID) -> WorkflowRow | None:
    return await fetch_one(connection, WorkflowRow, ONE, {"workflow": workflow_id})


async def organization_of(connection: Conn, workflow_id: uuid.UUID) -> uuid.UUID | None:
    return await fetch_value(connection, uuid.UUID, ORGANIZATION_OF, {"workflow": workflow_id})


async def lock_project(connection: Conn, project_id: uuid.UUID) -> None:
    await connection.execute(LOCK_PROJECT, {"project": project_id})


async def count_of_project(connection: Conn, project_id: uuid.UUID) -> int:
    return await fetch_value(connection, int, COUNT_OF_PROJECT, {"project": project_id}) or 0


async def insert(
    connection: Conn,
    workflow_id: uuid.UUID,
    organization_id: uuid.UUID,
    user_id: uuid.UUID,
    values: dict[str, Any],
) -> None:
    """`values`: project, name, description, trigger_type, trigger_config, settings."""
    await connection.execute(
        INSERT,
        {
            **values,
            "workflow": workflow_id,
            "organization": organization_id,
            "user": user_id,
            "trigger_config": Jsonb(values["trigger_config"]),
            "settings": Jsonb(values["settings"]),
        },
    )


async def update(connection: Conn, workflow_id: uuid.UUID, changes: dict[str, Any]) -> None:
    """Set the columns in `changes` (name, description, status, trigger_type,
    trigger_config, settings); the others keep their values."""
    values: dict[str, Any] = dict.fromkeys(
        ("name", "description", "status", "trigger_type", "trigger_config", "settings")
    )
    values.update(changes)
    for column in ("trigger_config", "settings"):
        if values[column] is not None:
            values[column] = Jsonb(values[column])
    await connection.execute(UPDATE, {**values, "workflow": workflow_id})


async def touch(connection: Conn, workflow_id: uuid.UUID) -> None:
    await connection.execute(TOUCH, {"workflow": workflow_id})


async def delete(connection: Conn, workflow_id: uuid.UUID) -> None:
    """The workflow with its nodes, edges, executions and their runs (cascades, 0600)."""
    await connection.execute(DELETE, {"workflow": workflow_id})


async def running_jobs(connection: Conn, workflow_id: uuid.UUID) -> list[int]:
    cursor = await connection.execute(RUNNING_JOBS, {"workflow": workflow_id})
    return [job_id for (job_id,) in await cursor.fetchall()]
