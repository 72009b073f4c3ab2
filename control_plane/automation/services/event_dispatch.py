"""Event triggers: platform events (control_plane/events.py) start the executions of the
active `event` workflows of their project, exactly once.

Every worker runs the dispatcher (jobs/triggers.py): at once when an event is emitted
(its NOTIFY), and every few seconds. A pass locks Automation's cursor row, so dispatchers
take turns; reads the settled events after it (queries/platform_events.py); starts, for
each, the executions of the workflows it fires; and moves the cursor past them, all in one
transaction: a crash before the commit leaves nothing started and the cursor where it was.
"""

from __future__ import annotations

import logging

from psycopg_pool import AsyncConnectionPool

from control_plane.automation.models.common import TriggerType
from control_plane.automation.queries import platform_events
from control_plane.automation.queries.platform_events import Firing
from control_plane.automation.services import executions
from control_plane.db import Conn
from control_plane.errors import ApiError
from control_plane.events import PlatformEvent

logger = logging.getLogger("control_plane.automation.events")

BATCH = 200


def input_of(event: PlatformEvent) -> dict[str, object]:
    """An execution's input_data: the event's payload, and the event under `event`."""
    about = {
        "id": event.id,
        "name": event.name,
        "occurred_at": event.created_at.isoformat(),
        "project_id": str(event.project_id) if event.project_id else None,
    }
    return {**event.payload, "event": about}


async def _start(connection: Conn, event: PlatformEvent, firing: Firing) -> None:
    try:
        async with connection.transaction():  # a savepoint: one broken workflow, not all
            await executions.start(
                connection,
                firing.workflow_id,
                trigger_type=TriggerType.EVENT,
                input_data=input_of(event),
                execution_context={"event_id": event.id, "event": event.name},
                performed_by=firing.activated_by,
            )
    except ApiError as error:  # its graph changed since it was activated
        logger.warning("event workflow %s cannot start: %s", firing.workflow_id, error)


async def _dispatch_batch(pool: AsyncConnectionPool[Conn]) -> int:
    """Dispatch the next settled events (BATCH at most); how many were read."""
    async with pool.connection() as connection, connection.transaction():
        cursor = await platform_events.lock_cursor(connection)
        events = await platform_events.settled_after(connection, cursor, BATCH)
        if not events:
            return 0
        by_id = {event.id: event for event in events}
        for firing in await platform_events.firings(connection, list(by_id)):
            await _start(connection, by_id[firing.event_id], firing)
        await platform_events.advance(connection, events[-1])
        return len(events)


async def dispatch(pool: AsyncConnectionPool[Conn]) -> None:
    """Dispatch every settled event not dispatched yet."""
    while await _dispatch_batch(pool) == BATCH:
        pass
