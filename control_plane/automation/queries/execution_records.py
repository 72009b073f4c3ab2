"""SQL that reads executions back: the organisation's list, one execution with its steps,
and a workflow's statistics, all from the ledger (runs, run_steps)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from psycopg import sql

from control_plane.db import Conn, fetch_all, fetch_one
from control_plane.pagination import Listing


@dataclass(frozen=True)
class ExecutionRecord:
    id: uuid.UUID
    organization_id: uuid.UUID
    workflow_id: uuid.UUID
    workflow_name: str
    run_status: str
    job_id: int | None
    mode: str
    trigger_type: str
    created_at: datetime
    started_at: datetime | None
    completed_at: datetime | None
    input_data: dict[str, Any]
    output_data: dict[str, Any] | None
    execution_path: list[str]
    state: dict[str, Any]
    performed_by: str | None
    error_code: str | None
    error_message: str | None
    retry_of: uuid.UUID | None
    retry_from_node: uuid.UUID | None
    nodes_success: int
    nodes_failed: int


_COLUMNS = sql.SQL("""
e.run_id AS id, r.organization_id, e.workflow_id, w.name AS workflow_name,
r.status AS run_status, r.job_id, e.mode, e.trigger_type, r.created_at, r.started_at,
r.completed_at, e.input_data, e.output_data, e.execution_path, e.state,
u.email AS performed_by, r.error_code, r.error_message, e.retry_of, e.retry_from_node,
(SELECT count(*) FROM run_steps s WHERE s.run_id = e.run_id AND s.status = 'success')::int
    AS nodes_success,
(SELECT count(*) FROM run_steps s WHERE s.run_id = e.run_id AND s.status = 'failed')::int
    AS nodes_failed
""")

_FROM = sql.SQL("""
FROM automation_executions e
JOIN runs r ON r.id = e.run_id
JOIN automation_workflows w ON w.id = e.workflow_id
LEFT JOIN users u ON u.id = r.performed_by
""")

OF_MEMBER = Listing(
    row=ExecutionRecord,
    columns=_COLUMNS,
    source=sql.SQL("""{source}
    JOIN memberships m ON m.organization_id = r.organization_id AND m.user_id = %(user)s
        AND m.role = ANY(%(roles)s)
    WHERE (%(workflow)s::uuid IS NULL OR e.workflow_id = %(workflow)s)
    AND (%(statuses)s::text[] IS NULL OR r.status = ANY(%(statuses)s))
    AND (%(date_from)s::timestamptz IS NULL OR r.created_at >= %(date_from)s)
    AND (%(date_to)s::timestamptz IS NULL OR r.created_at <= %(date_to)s)
    """).format(source=_FROM),
    order=sql.SQL("r.created_at DESC, e.run_id"),
)

ONE = sql.SQL("SELECT {columns} {source} WHERE e.run_id = %(run)s").format(
    columns=_COLUMNS, source=_FROM
)


@dataclass(frozen=True)
class StepRecord:
    node_id: uuid.UUID | None
    name: str
    status: str
    details: str
    input: Any
    output: Any
    started_at: datetime | None
    completed_at: datetime | None


STEPS = """
SELECT node_id, name, status, details, input, output, started_at, completed_at
FROM run_steps WHERE run_id = %(run)s ORDER BY position
"""


async def one(connection: Conn, run_id: uuid.UUID) -> ExecutionRecord | None:
    return await fetch_one(connection, ExecutionRecord, ONE, {"run": run_id})


async def steps(connection: Conn, run_id: uuid.UUID) -> list[StepRecord]:
    return await fetch_all(connection, StepRecord, STEPS, {"run": run_id})


@dataclass(frozen=True)
class Totals:
    executions_total: int
    executions_today: int
    executions_this_week: int
    successes: int
    failures: int
    average_seconds: float | None
    fastest_seconds: float | None
    slowest_seconds: float | None


_DURATION = "extract(epoch FROM r.completed_at - r.started_at)"

TOTALS = f"""
SELECT count(*)::int AS executions_total,
       (count(*) FILTER (WHERE r.created_at >= date_trunc('day', now())))::int
           AS executions_today,
       (count(*) FILTER (WHERE r.created_at >= now() - interval '7 days'))::int
           AS executions_this_week,
       (count(*) FILTER (WHERE r.status = 'success'))::int AS successes,
       (count(*) FILTER (WHERE r.status = 'failed'))::int AS failures,
       (avg({_DURATION}) FILTER (WHERE r.status = 'success'))::float AS average_seconds,
       (min({_DURATION}) FILTER (WHERE r.status = 'success'))::float AS fastest_seconds,
       (max({_DURATION}) FILTER (WHERE r.status = 'success'))::float AS slowest_seconds
FROM automation_executions e JOIN runs r ON r.id = e.run_id
WHERE e.workflow_id = %(workflow)s AND e.mode = 'live'
"""


@dataclass(frozen=True)
class LastRun:
    status: str
    created_at: datetime


LAST = """
SELECT r.status, r.created_at
FROM automation_executions e JOIN runs r ON r.id = e.run_id
WHERE e.workflow_id = %(workflow)s AND e.mode = 'live'
ORDER BY e.created_at DESC, e.run_id LIMIT 1
"""


@dataclass(frozen=True)
class Day:
    date: date
    executions: int
    successes: int
    failures: int


BY_DAY = """
SELECT (r.created_at AT TIME ZONE 'UTC')::date AS date, count(*)::int AS executions,
       (count(*) FILTER (WHERE r.status = 'success'))::int AS successes,
       (count(*) FILTER (WHERE r.status = 'failed'))::int AS failures
FROM automation_executions e JOIN runs r ON r.id = e.run_id
WHERE e.workflow_id = %(workflow)s AND e.mode = 'live'
  AND r.created_at >= now() - make_interval(days => %(days)s)
GROUP BY 1 ORDER BY 1 DESC
"""


async def totals(connection: Conn, workflow_id: uuid.UUID) -> Totals:
    found = await fetch_one(connection, Totals, TOTALS, {"workflow": workflow_id})
    assert found is not None
    return found


async def last(connection: Conn, workflow_id: uuid.UUID) -> LastRun | None:
    return await fetch_one(connection, LastRun, LAST, {"workflow": workflow_id})


async def by_day(connection: Conn, workflow_id: uuid.UUID, days: int) -> list[Day]:
    return await fetch_all(connection, Day, BY_DAY, {"workflow": workflow_id, "days": days})


@dataclass(frozen=True)
class NodeTotals:
    executions_count: int
    success_count: int
    failure_count: int
    average_execution_time_ms: float | None
    last_executed: datetime | None


NODE_TOTALS = """
SELECT count(*)::int AS executions_count,
       (count(*) FILTER (WHERE s.status = 'success'))::int AS success_count,
       (count(*) FILTER (WHERE s.status = 'failed'))::int AS failure_count,
       (avg(extract(epoch FROM s.completed_at - s.started_at) * 1000)
           FILTER (WHERE s.status = 'success'))::float AS average_execution_time_ms,
       max(s.started_at) AS last_executed
FROM run_steps s JOIN automation_executions e ON e.run_id = s.run_id AND e.mode = 'live'
WHERE s.node_id = %(node)s AND s.status IN ('success', 'failed')
"""


async def node_totals(connection: Conn, node_id: uuid.UUID) -> NodeTotals:
    found = await fetch_one(connection, NodeTotals, NODE_TOTALS, {"node": node_id})
    assert found is not None
    return found
