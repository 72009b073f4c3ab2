"""Platform events: what happened (a project created or published, an app deployed or its
deployment failed, a record of a deployed app created, updated or deleted), written in the
transaction of the change itself, so that an event exists exactly when its change does.

Automation's event dispatcher turns them into executions of the matching `event`
workflows; Insights may read them too. Each consumer keeps its own cursor
(platform_event_cursors).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg.types.json import Jsonb

from control_plane.db import Conn

PROJECT_CREATED = "project.created"
PROJECT_PUBLISHED = "project.published"
APP_DEPLOYED = "app.deployed"
APP_DEPLOYMENT_FAILED = "app.deployment_failed"
RECORD_CREATED = "record.created"
RECORD_UPDATED = "record.updated"
RECORD_DELETED = "record.deleted"
INTEGRATION_WEBHOOK = "integration.webhook"  # a provider called an integration back
NAMES = frozenset(
    {
        PROJECT_CREATED,
        PROJECT_PUBLISHED,
        APP_DEPLOYED,
        APP_DEPLOYMENT_FAILED,
        RECORD_CREATED,
        RECORD_UPDATED,
        RECORD_DELETED,
        INTEGRATION_WEBHOOK,
    }
)


@dataclass(frozen=True)
class PlatformEvent:
    """A row of platform_events, as its consumers read it (after their cursor)."""

    id: int
    transaction_id: str  # xid8, as text: consumers read in (transaction_id, id) order
    organization_id: uuid.UUID
    project_id: uuid.UUID | None
    name: str
    payload: dict[str, Any]
    created_at: datetime


_INSERT = """
INSERT INTO platform_events (organization_id, project_id, name, payload)
VALUES (%(organization)s, %(project)s, %(name)s, %(payload)s)
RETURNING id
"""
# Wakes the dispatcher at once; a periodic pass catches what a lost notification missed.
_NOTIFY = "SELECT pg_notify('platform_events', '')"


async def emit(
    connection: Conn,
    organization_id: uuid.UUID,
    name: str,
    payload: dict[str, Any],
    *,
    project_id: uuid.UUID | None = None,
) -> int:
    """Record the event `name` (one of NAMES) in the caller's transaction; its id."""
    if name not in NAMES:
        raise ValueError(f"unknown platform event {name!r}")
    values = {
        "organization": organization_id,
        "project": project_id,
        "name": name,
        "payload": Jsonb(payload),
    }
    cursor = await connection.execute(_INSERT, values)
    row = await cursor.fetchone()
    assert row is not None
    await connection.execute(_NOTIFY)
    event_id: int = row[0]
    return event_id
