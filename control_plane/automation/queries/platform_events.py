"""SQL of Automation's reading of `platform_events`: its cursor, the settled events after
it, and the active `event` workflows each one fires.

Events are read in (transaction_id, id) order and only once the transactions that wrote
them, and every older one, have ended (0640_automation_triggers.sql): an event committed
late is never passed over."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from control_plane.db import Conn, fetch_all, fetch_one
from control_plane.events import PlatformEvent

CONSUMER = "automation"


@dataclass(frozen=True)
class Cursor:
    last_transaction_id: str  # xid8, as text
    last_event_id: int


@dataclass(frozen=True)
class Firing:
    """An event and a workflow it starts."""

    event_id: int
    workflow_id: uuid.UUID
    activated_by: uuid.UUID | None


LOCK_CURSOR = """
SELECT last_transaction_id::text, last_event_id FROM platform_event_cursors
WHERE consumer = %(consumer)s
FOR UPDATE
"""

SETTLED_AFTER = """
SELECT id, transaction_id::text, organization_id, project_id, name, payload, created_at
FROM platform_events
WHERE (transaction_id, id) > (%(transaction)s::xid8, %(event)s)
  AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
ORDER BY transaction_id, id
LIMIT %(limit)s
"""

# A workflow listens to an event of its own project; `table` narrows record.* events.
FIRINGS = """
SELECT e.id AS event_id, w.id AS workflow_id, w.activated_by
FROM platform_events AS e
JOIN automation_workflows AS w
  ON w.project_id = e.project_id
 AND w.trigger_type = 'event' AND w.status = 'active'
 AND w.trigger_config->>'event' = e.name
 AND (w.trigger_config->>'table' IS NULL OR w.trigger_config->>'table' = e.payload->>'table')
WHERE e.id = ANY(%(events)s)
ORDER BY e.transaction_id, e.id, w.created_at, w.id
"""

ADVANCE = """
UPDATE platform_event_cursors
SET last_transaction_id = %(transaction)s::xid8, last_event_id = %(event)s
WHERE consumer = %(consumer)s
"""


async def lock_cursor(connection: Conn) -> Cursor:
    """The cursor, locked until the transaction ends: one reader at a time."""
    cursor = await fetch_one(connection, Cursor, LOCK_CURSOR, {"consumer": CONSUMER})
    assert cursor is not None  # made by 0640_automation_triggers.sql
    return cursor


async def settled_after(connection: Conn, cursor: Cursor, limit: int) -> list[PlatformEvent]:
    values = {
        "transaction": cursor.last_transaction_id,
        "event": cursor.last_event_id,
        "limit": limit,
    }
    return await fetch_all(connection, PlatformEvent, SETTLED_AFTER, values)


async def firings(connection: Conn, event_ids: list[int]) -> list[Firing]:
    return await fetch_all(connection, Firing, FIRINGS, {"events": event_ids})


async def advance(connection: Conn, last: PlatformEvent) -> None:
    values = {"transaction": last.transaction_id, "event": last.id, "consumer": CONSUMER}
    await connection.execute(ADVANCE, values)
