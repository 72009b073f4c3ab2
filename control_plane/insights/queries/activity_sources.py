"""SQL of the activity collector's sources, each read after its cursor
(`insights_cursors`) in commit order: the rows of transactions older than every one still
running (pg_snapshot_xmin), in (transaction, key) order, so that a row committed late is
never passed over (0701_insights_activities.sql).

- `audit_log`: every write of the platform, and the logins and logouts;
- `platform_events`: what the audit log does not see: deployed apps' record events and
  integrations' webhooks;
- `runs`: finished deployments, rollbacks and workflow executions;
- `jobs`: finished attempts of generation jobs (`runtime.generate`)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg.types.json import Jsonb

from control_plane.db import Conn, fetch_all, fetch_value
from control_plane.events import PlatformEvent

AUDIT_LOG, PLATFORM_EVENTS, RUNS, JOBS = "audit_log", "platform_events", "runs", "jobs"
# Account events have no organisation: these become activities of the user's organisations.
ACCOUNT_ACTIONS = ["session.login", "session.logout"]
PLATFORM_EVENT_NAMES = ["record.created", "record.updated", "record.deleted", "integration.webhook"]
GENERATION_KIND = "runtime.generate"


@dataclass(frozen=True)
class AuditEntry:
    id: int
    transaction_id: str
    organization_id: uuid.UUID | None
    actor_id: uuid.UUID | None
    action: str
    object_type: str
    object_id: str
    details: dict[str, Any]
    created_at: datetime
    project_id: uuid.UUID | None  # the project the entry is about, or its app's
    app_id: uuid.UUID | None


@dataclass(frozen=True)
class FinishedRun:
    id: uuid.UUID
    transaction_id: str
    organization_id: uuid.UUID
    kind: str
    status: str
    performed_by: uuid.UUID | None
    error_code: str | None
    completed_at: datetime | None
    app_id: uuid.UUID | None
    project_id: uuid.UUID | None
    workflow_id: uuid.UUID | None


@dataclass(frozen=True)
class FinishedAttempt:
    job_id: int
    attempt: int
    transaction_id: str
    organization_id: uuid.UUID | None
    app_id: uuid.UUID | None
    project_id: uuid.UUID | None
    version: str | None
    error: str | None
    finished_at: datetime


@dataclass(frozen=True)
class Membership:
    user_id: uuid.UUID
    organization_id: uuid.UUID


LOCK_CURSOR = "SELECT position FROM insights_cursors WHERE source = %(source)s FOR UPDATE"
ADVANCE = "UPDATE insights_cursors SET position = %(position)s WHERE source = %(source)s"

AUDIT_ENTRIES = """
SELECT e.id, e.transaction_id::text, e.organization_id, e.actor_id, e.action, e.object_type,
       e.object_id, e.details, e.created_at,
       CASE WHEN e.object_type = 'project' THEN p.id ELSE a.project_id END AS project_id,
       a.id AS app_id
FROM audit_log AS e
LEFT JOIN studio_projects AS p ON e.object_type = 'project' AND p.id::text = e.object_id
LEFT JOIN runtime_apps AS a ON e.object_type = 'app' AND a.id::text = e.object_id
WHERE (e.transaction_id, e.id) > (%(transaction)s::xid8, %(id)s::bigint)
  AND e.transaction_id < pg_snapshot_xmin(pg_current_snapshot())
  AND (e.organization_id IS NOT NULL OR e.action = ANY(%(account_actions)s))
ORDER BY e.transaction_id, e.id
LIMIT %(limit)s
"""

PLATFORM_EVENTS_AFTER = """
SELECT id, transaction_id::text, organization_id, project_id, name, payload, created_at
FROM platform_events
WHERE (transaction_id, id) > (%(transaction)s::xid8, %(id)s::bigint)
  AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
  AND name = ANY(%(names)s)
ORDER BY transaction_id, id
LIMIT %(limit)s
"""

FINISHED_RUNS = """
SELECT r.id, r.finished_transaction_id::text AS transaction_id, r.organization_id, r.kind,
       r.status, r.performed_by, r.error_code, r.completed_at, d.app_id,
       coalesce(a.project_id, w.project_id) AS project_id, x.workflow_id
FROM runs AS r
LEFT JOIN runtime_deployments AS d ON d.run_id = r.id
LEFT JOIN runtime_apps AS a ON a.id = d.app_id
LEFT JOIN automation_executions AS x ON x.run_id = r.id
LEFT JOIN automation_workflows AS w ON w.id = x.workflow_id
WHERE r.finished_transaction_id IS NOT NULL
  AND (r.finished_transaction_id, r.id) > (%(transaction)s::xid8, %(id)s::uuid)
  AND r.finished_transaction_id < pg_snapshot_xmin(pg_current_snapshot())
ORDER BY r.finished_transaction_id, r.id
LIMIT %(limit)s
"""

FINISHED_ATTEMPTS = """
SELECT t.job_id, t.attempt, t.finished_transaction_id::text AS transaction_id,
       (j.args->>'organization_id')::uuid AS organization_id, a.id AS app_id,
       a.project_id, j.args->'payload'->>'version' AS version, t.error, t.finished_at
FROM job_attempts AS t
JOIN procrastinate_jobs AS j ON j.id = t.job_id AND j.task_name = %(kind)s
LEFT JOIN runtime_apps AS a ON a.id::text = j.args->'payload'->>'app_id'
WHERE t.finished_transaction_id IS NOT NULL
  AND (t.finished_transaction_id, t.job_id, t.attempt)
      > (%(transaction)s::xid8, %(job)s::bigint, %(attempt)s::int)
  AND t.finished_transaction_id < pg_snapshot_xmin(pg_current_snapshot())
ORDER BY t.finished_transaction_id, t.job_id, t.attempt
LIMIT %(limit)s
"""

MEMBERSHIPS = """
SELECT user_id, organization_id FROM memberships WHERE user_id = ANY(%(users)s)
ORDER BY user_id, organization_id
"""


async def lock_cursor(connection: Conn, source: str) -> dict[str, Any]:
    """The source's position, locked until the transaction ends: one reader at a time."""
    position = await fetch_value(connection, dict, LOCK_CURSOR, {"source": source})
    assert position is not None  # made by 0701_insights_activities.sql
    return position


async def advance(connection: Conn, source: str, position: dict[str, Any]) -> None:
    await connection.execute(ADVANCE, {"source": source, "position": Jsonb(position)})


async def audit_entries(connection: Conn, position: dict[str, Any], limit: int) -> list[AuditEntry]:
    values = {**position, "account_actions": ACCOUNT_ACTIONS, "limit": limit}
    return await fetch_all(connection, AuditEntry, AUDIT_ENTRIES, values)


async def platform_events(
    connection: Conn, position: dict[str, Any], limit: int
) -> list[PlatformEvent]:
    values = {**position, "names": PLATFORM_EVENT_NAMES, "limit": limit}
    return await fetch_all(connection, PlatformEvent, PLATFORM_EVENTS_AFTER, values)


async def finished_runs(
    connection: Conn, position: dict[str, Any], limit: int
) -> list[FinishedRun]:
    return await fetch_all(connection, FinishedRun, FINISHED_RUNS, {**position, "limit": limit})


async def finished_attempts(
    connection: Conn, position: dict[str, Any], limit: int
) -> list[FinishedAttempt]:
    values = {**position, "kind": GENERATION_KIND, "limit": limit}
    return await fetch_all(connection, FinishedAttempt, FINISHED_ATTEMPTS, values)


async def memberships(connection: Conn, users: list[uuid.UUID]) -> list[Membership]:
    return await fetch_all(connection, Membership, MEMBERSHIPS, {"users": users})
