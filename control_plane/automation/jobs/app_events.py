"""The collection of the deployed apps' record events into platform events: a pass every
worker runs every 2 s (control_plane/jobs/passes.py; one collection at a time across them,
control_plane/automation/services/app_events.py)."""

from __future__ import annotations

import logging
from typing import Any

import httpx
from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from control_plane.automation.services import app_events
from control_plane.config import get_settings, vault_of
from control_plane.jobs import registry

logger = logging.getLogger(__name__)


@registry.repeat("automation.app_events", every_seconds=2)
async def collect_app_events(pool: AsyncConnectionPool[AsyncConnection[Any]]) -> None:
    settings = get_settings()
    seconds = settings.app_events_timeout_seconds
    timeout = httpx.Timeout(seconds, connect=min(seconds, 2.0))
    async with httpx.AsyncClient(timeout=timeout, trust_env=False) as http:
        client = app_events.AppEventsClient(http, vault_of(settings))
        passed = await app_events.collect_alone(pool, client, instance_seconds=seconds)
    if passed is None:
        return  # another worker's collection still runs
    emitted = sum(one.emitted for one in passed)
    if emitted:
        logger.info("%d record event(s) emitted", emitted)
    for one in passed:
        if one.error is not None:
            logger.warning(
                "record events of %s skipped until the next pass: %s", one.consumer, one.error
            )
