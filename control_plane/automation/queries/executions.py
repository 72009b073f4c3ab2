"""SQL of executions: `automation_executions` with its run (`runs`, kind 'workflow') and
the run's steps, written by the engine in one statement per save."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg.types.json import Jsonb

from control_plane.db import Conn, fetch_one, fetch_value


@dataclass(frozen=True)
class ExecutionRow:
    """What resuming an execution needs."""

    run_id: uuid.UUID
    workflow_id: uuid.UUID
    organization_id: uuid.UUID
    status: str
    job_id: int | None
    performed_by: uuid.UUID | None
    trigger_type: str
    mode: str
    input_data: dict[str, Any]
    execution_context: dict[str, Any]
    state: dict[str, Any]
    deadline_at: datetime | None
    started_at: datetime | None
    created_at: datetime


ONE = """
SELECT e.run_id, e.workflow_id, r.organization_id, r.status, r.job_id, r.performed_by,
       e.trigger_type, e.mode, e.input_data, e.execution_context, e.state, e.deadline_at,
       r.started_at, r.created_at
FROM automation_executions e JOIN runs r ON r.id = e.run_id
WHERE e.run_id = %(run)s
"""

INSERT = """
INSERT INTO automation_executions (run_id, workflow_id, trigger_type, mode, input_data,
    execution_context, state, retry_of, retry_from_node)
VALUES (%(run)s, %(workflow)s, %(trigger_type)s, %(mode)s, %(input_data)s,
    %(execution_context)s, %(state)s, %(retry_of)s, %(retry_from_node)s)
"""

# The run, its execution row and its steps so far, in one statement: a save is whole or
# not at all. Nothing is written when the run has finished (cancelled) or belongs to
# another writer (job_id: a job, or NULL for the process running it inline).
SAVE = """
WITH run AS (
    INSERT INTO runs (id, organization_id, kind, status, performed_by, error_code,
                      error_message, created_at, started_at, completed_at)
    -- A workflow deleted meanwhile: nothing is written (the writer stops).
    SELECT %(run)s, %(organization)s, 'workflow', %(status)s, %(performed_by)s,
           %(error_code)s, %(error_message)s, %(started_at)s, %(started_at)s,
           %(completed_at)s
    WHERE EXISTS (SELECT FROM automation_workflows WHERE id = %(workflow)s)
    ON CONFLICT (id) DO UPDATE SET status = excluded.status,
        error_code = excluded.error_code, error_message = excluded.error_message,
        started_at = coalesce(runs.started_at, excluded.started_at),
        completed_at = excluded.completed_at
    WHERE runs.status IN ('pending', 'running') AND runs.job_id IS NOT DISTINCT FROM %(owner)s
    RETURNING id
), execution AS (
    INSERT INTO automation_executions (run_id, workflow_id, trigger_type, mode, input_data,
        execution_context, output_data, execution_path, state, deadline_at,
        inline_lease_until)
    SELECT id, %(workflow)s, %(trigger_type)s, %(mode)s, %(input_data)s,
        %(execution_context)s, %(output_data)s, %(execution_path)s, %(state)s,
        %(deadline_at)s, %(lease)s
    FROM run
    ON CONFLICT (run_id) DO UPDATE SET output_data = excluded.output_data,
        execution_path = excluded.execution_path, state = excluded.state,
        deadline_at = excluded.deadline_at, inline_lease_until = excluded.inline_lease_until
), steps AS (
    INSERT INTO run_steps (run_id, position, name, node_id, status, details, input, output,
                           started_at, completed_at)
    SELECT run.id, s.position, s.name, s.node_id, s.status, s.details, s.input, s.output,
           s.started_at, s.completed_at
    FROM run, jsonb_to_recordset(%(steps)s) AS s(
        position integer, name text, node_id uuid, status text, details text, input jsonb,
        output jsonb, started_at timestamptz, completed_at timestamptz)
    ON CONFLICT (run_id, position) DO UPDATE SET status = excluded.status,
        details = excluded.details, output = excluded.output,
        completed_at = excluded.completed_at
)
SELECT count(*) FROM run
"""

HAND_OVER = "UPDATE runs SET job_id = %(job)s WHERE id = %(run)s"

CANCEL_STEPS = """
UPDATE run_steps SET status = 'cancelled', completed_at = now()
WHERE run_id = %(run)s AND status IN ('pending', 'running')
"""

# Executions whose writer is gone: run inline by a process that outlived its lease, or by
# a job that the queue gave up on (out of attempts after worker crashes, or aborted).
ORPHANS = """
SELECT r.id AS run_id, r.job_id, j.status::text AS job_status
FROM runs r
JOIN automation_executions e ON e.run_id = r.id
LEFT JOIN procrastinate_jobs j ON j.id = r.job_id
WHERE r.kind = 'workflow' AND r.status IN ('pending', 'running')
  AND ((r.job_id IS NULL AND e.inline_lease_until < now())
       OR j.status IN ('failed', 'cancelled', 'aborted'))
FOR UPDATE OF r SKIP LOCKED
"""


@dataclass(frozen=True)
class Orphan:
    run_id: uuid.UUID
    job_id: int | None
    job_status: str | None


def jsonb(value: Any) -> Jsonb | None:
    return None if value is None else Jsonb(value)


async def one(connection: Conn, run_id: uuid.UUID) -> ExecutionRow | None:
    return await fetch_one(connection, ExecutionRow, ONE, {"run": run_id})


async def insert(
    connection: Conn,
    run_id: uuid.UUID,
    workflow_id: uuid.UUID,
    trigger_type: str,
    mode: str,
    input_data: dict[str, Any],
    execution_context: dict[str, Any],
    state: dict[str, Any],
    retry_of: uuid.UUID | None = None,
    retry_from_node: uuid.UUID | None = None,
) -> None:
    values = {
        "run": run_id,
        "workflow": workflow_id,
        "trigger_type": trigger_type,
        "mode": mode,
        "input_data": Jsonb(input_data),
        "execution_context": Jsonb(execution_context),
        "state": Jsonb(state),
        "retry_of": retry_of,
        "retry_from_node": retry_from_node,
    }
    await connection.execute(INSERT, values)


async def save(connection: Conn, values: dict[str, Any]) -> bool:
    """SAVE with `values`; False when the run was not ours to write."""
    return bool(await fetch_value(connection, int, SAVE, values))


async def hand_over(connection: Conn, run_id: uuid.UUID, job_id: int) -> None:
    await connection.execute(HAND_OVER, {"run": run_id, "job": job_id})


async def cancel_steps(connection: Conn, run_id: uuid.UUID) -> None:
    await connection.execute(CANCEL_STEPS, {"run": run_id})


async def orphans(connection: Conn) -> list[Orphan]:
    async with connection.cursor() as cursor:
        await cursor.execute(ORPHANS)
        return [Orphan(*row) for row in await cursor.fetchall()]


@dataclass(frozen=True)
class WorkflowFacts:
    """A workflow as an execution starts it: the version of its graph is `updated_at`."""

    id: uuid.UUID
    organization_id: uuid.UUID
    project_id: uuid.UUID
    name: str
    settings: dict[str, Any]
    updated_at: datetime


WORKFLOW = """
SELECT id, organization_id, project_id, name, settings, updated_at
FROM automation_workflows WHERE id = %(workflow)s
"""


async def workflow(connection: Conn, workflow_id: uuid.UUID) -> WorkflowFacts | None:
    return await fetch_one(connection, WorkflowFacts, WORKFLOW, {"workflow": workflow_id})


async def node_types(connection: Conn, workflow_id: uuid.UUID) -> dict[uuid.UUID, str]:
    """The workflow's nodes and their types."""
    async with connection.cursor() as cursor:
        await cursor.execute(
            "SELECT id, node_type FROM automation_nodes WHERE workflow_id = %(workflow)s",
            {"workflow": workflow_id},
        )
        return {node: node_type for node, node_type in await cursor.fetchall()}


async def completed_nodes(connection: Conn, run_id: uuid.UUID) -> int:
    """How many nodes of the run ended well (each counted once)."""
    count = await fetch_value(
        connection, int,
        "SELECT count(DISTINCT node_id)::int FROM run_steps"
        " WHERE run_id = %(run)s AND status = 'success'",
        {"run": run_id},
    )  # fmt: skip
    return count or 0


async def failed_node(connection: Conn, run_id: uuid.UUID) -> uuid.UUID | None:
    """The node whose step failed (or was cut) last in the run."""
    return await fetch_value(
        connection, uuid.UUID,
        "SELECT node_id FROM run_steps WHERE run_id = %(run)s"
        " AND status IN ('failed', 'cancelled', 'running') ORDER BY position DESC LIMIT 1",
        {"run": run_id},
    )  # fmt: skip
