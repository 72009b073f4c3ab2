"""The activity collector: the one place where the platform's own doings become
activities (`kind` 'activity'), so that no module calls Insights by hand.

Every worker runs it (jobs/events.py): at once when a source is written (the NOTIFY of
0701_insights_activities.sql's triggers) and every few seconds. For each source, one
transaction locks its cursor, reads the settled rows after it
(queries/activity_sources.py), writes their activities with their rollups and moves the
cursor past them: exactly once, whatever the number of workers; a crash before the
commit leaves the cursor where it was.

A login or logout (an account event, with no organisation) becomes an activity of each
organisation the user belongs to at that moment: the feed is per organisation, and an
organisation's admins see when its members come and go; a CLIENT sees their own."""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, NamedTuple

from psycopg_pool import AsyncConnectionPool

from control_plane.db import Conn
from control_plane.events import PlatformEvent
from control_plane.insights.queries import activity_sources as sources
from control_plane.insights.queries.activity_sources import (
    AuditEntry,
    FinishedAttempt,
    FinishedRun,
)
from control_plane.insights.queries.events import ACTIVITY, EventRow
from control_plane.insights.services import rollups

BATCH = 500
PLATFORM = "platform"  # the distinct id of what no user did


def _activity(
    source: str,
    organization_id: uuid.UUID,
    name: str,
    actor: uuid.UUID | None,
    at: datetime | None,
    properties: dict[str, Any],
    project_id: uuid.UUID | None = None,
    app_id: uuid.UUID | None = None,
) -> EventRow:
    return EventRow(
        organization_id=organization_id,
        project_id=project_id,
        app_id=app_id,
        kind=ACTIVITY,
        name=name,
        distinct_id=str(actor) if actor else PLATFORM,
        user_id=actor,
        properties=json.dumps(properties, default=str),
        occurred_at=(at or datetime.now(UTC)).astimezone(UTC),
        source=source,
    )


async def _from_audit_log(connection: Conn, entries: list[AuditEntry]) -> list[EventRow]:
    actors = [e.actor_id for e in entries if e.organization_id is None and e.actor_id]
    organizations_of: defaultdict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for membership in await sources.memberships(connection, actors) if actors else []:
        organizations_of[membership.user_id].append(membership.organization_id)
    rows = []
    for entry in entries:
        about = {"object_type": entry.object_type, "object_id": entry.object_id}
        properties = {**about, "details": entry.details}
        if entry.organization_id is not None:
            organizations = [entry.organization_id]
        else:
            organizations = organizations_of.get(entry.actor_id, []) if entry.actor_id else []
        rows += [
            _activity(
                sources.AUDIT_LOG,
                organization,
                entry.action,
                entry.actor_id,
                entry.created_at,
                properties,
                entry.project_id,
                entry.app_id,
            )
            for organization in organizations
        ]
    return rows


def _from_platform_event(event: PlatformEvent) -> EventRow:
    return _activity(
        sources.PLATFORM_EVENTS,
        event.organization_id,
        event.name,
        None,
        event.created_at,
        {"payload": event.payload},
        event.project_id,
    )


def _from_run(run: FinishedRun) -> EventRow:
    properties = {"run_id": str(run.id), "status": run.status, "error_code": run.error_code}
    if run.workflow_id:
        properties["workflow_id"] = str(run.workflow_id)
    return _activity(
        sources.RUNS,
        run.organization_id,
        f"{run.kind}.{run.status}",
        run.performed_by,
        run.completed_at,
        properties,
        run.project_id,
        run.app_id,
    )


def _from_attempt(attempt: FinishedAttempt) -> EventRow | None:
    if attempt.organization_id is None:
        return None
    outcome = "failed" if attempt.error else "succeeded"
    properties = {
        "job_id": attempt.job_id,
        "attempt": attempt.attempt,
        "version": attempt.version,
        "error": (attempt.error or "")[:500] or None,
    }
    return _activity(
        sources.JOBS,
        attempt.organization_id,
        f"generation.{outcome}",
        None,
        attempt.finished_at,
        properties,
        attempt.project_id,
        attempt.app_id,
    )


class Collected(NamedTuple):
    """What a reader took from its source: how many rows, the position after the last
    one, and their activities."""

    read: int
    position: dict[str, Any]
    rows: list[EventRow]


async def _collect_audit_log(connection: Conn, position: dict[str, Any]) -> Collected:
    entries = await sources.audit_entries(connection, position, BATCH)
    if not entries:
        return Collected(0, position, [])
    after = {"transaction": entries[-1].transaction_id, "id": entries[-1].id}
    return Collected(len(entries), after, await _from_audit_log(connection, entries))


async def _collect_platform_events(connection: Conn, position: dict[str, Any]) -> Collected:
    events = await sources.platform_events(connection, position, BATCH)
    if not events:
        return Collected(0, position, [])
    after = {"transaction": events[-1].transaction_id, "id": events[-1].id}
    return Collected(len(events), after, [_from_platform_event(e) for e in events])


async def _collect_runs(connection: Conn, position: dict[str, Any]) -> Collected:
    runs = await sources.finished_runs(connection, position, BATCH)
    if not runs:
        return Collected(0, position, [])
    after = {"transaction": runs[-1].transaction_id, "id": str(runs[-1].id)}
    return Collected(len(runs), after, [_from_run(r) for r in runs])


async def _collect_jobs(connection: Conn, position: dict[str, Any]) -> Collected:
    attempts = await sources.finished_attempts(connection, position, BATCH)
    if not attempts:
        return Collected(0, position, [])
    last = attempts[-1]
    after = {"transaction": last.transaction_id, "job": last.job_id, "attempt": last.attempt}
    return Collected(len(attempts), after, [row for a in attempts if (row := _from_attempt(a))])


READERS: dict[str, Callable[[Conn, dict[str, Any]], Awaitable[Collected]]] = {
    sources.AUDIT_LOG: _collect_audit_log,
    sources.PLATFORM_EVENTS: _collect_platform_events,
    sources.RUNS: _collect_runs,
    sources.JOBS: _collect_jobs,
}


async def _collect_batch(pool: AsyncConnectionPool[Conn], source: str) -> int:
    """Turn the next settled rows of `source` (BATCH at most) into activities; how many
    rows were read."""
    async with pool.connection() as connection, connection.transaction():
        position = await sources.lock_cursor(connection, source)
        collected = await READERS[source](connection, position)
        if collected.rows:
            await rollups.write(connection, collected.rows)
        if collected.read:
            await sources.advance(connection, source, collected.position)
        return collected.read


async def collect(pool: AsyncConnectionPool[Conn]) -> None:
    """Every settled row of every source not collected yet."""
    for source in READERS:
        while await _collect_batch(pool, source) == BATCH:
            pass
