"""The trigger dispatchers, as passes every worker runs (control_plane/jobs/passes.py):
cron ticks every few seconds (services/cron.py), platform events at once when one is
emitted and every few seconds (services/event_dispatch.py). Each is exactly-once by its
own locks, however many workers run it."""

from __future__ import annotations

from typing import Any

from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from control_plane.automation.services import cron, event_dispatch
from control_plane.jobs import registry

# Below cron.LOOK_AHEAD: each tick is written by several passes' windows.
CRON_SECONDS = 5
EVENTS_SECONDS = 5  # the fallback to the NOTIFY of every emitted event
EVENTS_CHANNEL = "platform_events"  # control_plane/events.py notifies it


@registry.repeat("automation.cron", every_seconds=CRON_SECONDS)
async def dispatch_cron(pool: AsyncConnectionPool[AsyncConnection[Any]]) -> None:
    await cron.dispatch(pool)


@registry.repeat("automation.events", every_seconds=EVENTS_SECONDS, channel=EVENTS_CHANNEL)
async def dispatch_events(pool: AsyncConnectionPool[AsyncConnection[Any]]) -> None:
    await event_dispatch.dispatch(pool)
