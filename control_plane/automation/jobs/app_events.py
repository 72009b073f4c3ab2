"""The collection of the deployed apps' record events into platform events, every 2 s
(control_plane/automation/services/app_events.py)."""

from __future__ import annotations

import httpx

from control_plane.automation.services import app_events
from control_plane.config import get_settings, vault_of
from control_plane.jobs import JobContext, registry

EVERY_TWO_SECONDS = "* * * * * */2"  # croniter: seconds are the sixth field


@registry.kind("automation.app_events", max_attempts=1, timeout_seconds=60)
async def collect_app_events(context: JobContext) -> None:
    settings = get_settings()
    seconds = settings.app_events_timeout_seconds
    timeout = httpx.Timeout(seconds, connect=min(seconds, 2.0))
    async with httpx.AsyncClient(timeout=timeout, trust_env=False) as http:
        client = app_events.AppEventsClient(http, vault_of(settings))
        passed = await app_events.collect_alone(context.pool, client, instance_seconds=seconds)
    if passed is None:
        return  # the pass before this one still runs
    emitted = sum(one.emitted for one in passed)
    if emitted:
        await context.log(f"{emitted} record event(s) emitted")
    skipped = [f"{one.consumer} ({one.error})" for one in passed if one.error is not None]
    if skipped:
        await context.log(f"skipped, tried again next pass: {', '.join(skipped)}")


registry.schedule(collect_app_events, EVERY_TWO_SECONDS, schedule_id="every-two-seconds")
