"""Record events of the deployed apps, collected into `platform_events`.

Every generated app keeps the events of its record writes in an outbox (`nocode_events`,
written in the write's own transaction) and serves them in order after a position
(`GET {api_base}events/?after=N`, ADMIN tokens only). For each instance, a pass reads the
events after the instance's cursor, then, in ONE transaction holding that cursor's row
lock, emits those still after the cursor as `record.created` / `record.updated` /
`record.deleted` and advances the cursor: collectors running at once (two workers, two
overlapping passes) take turns on the lock, and an event is emitted once. Only then is
the app told to forget what was kept (`POST events/ack/`); a lost acknowledgement just
means the same events are read, and skipped, next time.

Instances are read side by side, each within a bounded time: an app that is down or slow
is skipped for this pass and caught up by a later one, without holding up the others.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

import httpx
from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from control_plane import events
from control_plane.automation.queries import app_events as queries
from control_plane.automation.queries.app_events import AppInstance
from control_plane.foundation.models import Role
from control_plane.runtime.services.app_tokens import API_BASE, platform_token
from platform_support.vault import Vault, VaultError

logger = logging.getLogger("control_plane.automation.app_events")

Pool = AsyncConnectionPool[AsyncConnection[Any]]

EVENT_NAMES = {
    "created": events.RECORD_CREATED,
    "updated": events.RECORD_UPDATED,
    "deleted": events.RECORD_DELETED,
}
PAGE_SIZE = 500
PAGES_PER_PASS = 20  # an instance with a larger backlog goes on at the next pass
TOKEN_SECONDS = 120
PARALLEL_INSTANCES = 16


@dataclass(frozen=True)
class Collected:
    """What a pass did for one instance: the events it emitted, or why it skipped it."""

    consumer: str
    emitted: int
    error: str | None = None


class AppEventsClient:
    """The HTTP side: one instance's events, and their acknowledgement."""

    def __init__(self, http: httpx.AsyncClient, vault: Vault) -> None:
        self.http = http
        self.vault = vault

    def _headers(self, instance: AppInstance) -> dict[str, str]:
        secret = self.vault.decrypt(instance.jwt_secret)
        return {"Authorization": f"Bearer {platform_token(secret, Role.ADMIN, TOKEN_SECONDS)}"}

    def _url(self, instance: AppInstance, path: str) -> str:
        base = API_BASE.format(project_id=instance.project_id)
        return f"{instance.url.rstrip('/')}{base}events/{path}"

    async def after(self, instance: AppInstance, position: int) -> list[dict[str, Any]]:
        response = await self.http.get(
            self._url(instance, ""),
            params={"after": position, "limit": PAGE_SIZE},
            headers=self._headers(instance),
        )
        response.raise_for_status()
        found: list[dict[str, Any]] = response.json()["results"]
        return found

    async def acknowledge(self, instance: AppInstance, position: int) -> None:
        response = await self.http.post(
            self._url(instance, "ack/"), json={"through": position}, headers=self._headers(instance)
        )
        response.raise_for_status()


def _payload(instance: AppInstance, event: dict[str, Any]) -> dict[str, Any]:
    return {
        "table": event["table"],
        "record_id": event["record_id"],
        "record": event["record"],
        "app_id": str(instance.app_id),
        "environment": instance.environment,
    }


async def _keep(pool: Pool, instance: AppInstance, found: list[dict[str, Any]]) -> tuple[int, int]:
    """Emit the events of `found` past the instance's cursor and advance it, in one
    transaction; the cursor after it, and how many were emitted."""
    async with pool.connection() as connection, connection.transaction():
        cursor = await queries.locked_cursor(connection, instance.consumer)
        fresh = [event for event in found if event["id"] > cursor]
        for event in fresh:
            await events.emit(
                connection,
                instance.organization_id,
                EVENT_NAMES[event["operation"]],
                _payload(instance, event),
                project_id=instance.project_id,
            )
        if fresh:
            cursor = fresh[-1]["id"]
            await queries.advance(connection, instance.consumer, cursor)
    return cursor, len(fresh)


async def collect_instance(pool: Pool, client: AppEventsClient, instance: AppInstance) -> int:
    """Bring the instance's events into platform_events; how many were emitted."""
    async with pool.connection() as connection:
        cursor = await queries.cursor_of(connection, instance.consumer)
    emitted = 0
    for _ in range(PAGES_PER_PASS):
        found = await client.after(instance, cursor)
        if not found:
            break
        cursor, count = await _keep(pool, instance, found)
        emitted += count
        await client.acknowledge(instance, cursor)
        if len(found) < PAGE_SIZE:
            break
    return emitted


async def collect(pool: Pool, client: AppEventsClient, instance_seconds: float) -> list[Collected]:
    """One pass over every deployed instance, each given at most `instance_seconds`."""
    async with pool.connection() as connection:
        instances = await queries.instances(connection)
    return await _collect_all(pool, client, instances, instance_seconds)


async def collect_alone(
    pool: Pool, client: AppEventsClient, instance_seconds: float
) -> list[Collected] | None:
    """A pass, unless another one still runs (None): passes started every few seconds
    while an app makes them wait do not pile up in the workers."""
    async with pool.connection() as connection:
        if not await queries.try_pass_lock(connection):
            return None
        try:
            return await collect(pool, client, instance_seconds)
        finally:
            await queries.pass_unlock(connection)


async def _collect_all(
    pool: Pool, client: AppEventsClient, instances: list[AppInstance], instance_seconds: float
) -> list[Collected]:
    slots = asyncio.Semaphore(PARALLEL_INSTANCES)

    async def one(instance: AppInstance) -> Collected:
        async with slots:
            try:
                async with asyncio.timeout(instance_seconds):
                    emitted = await collect_instance(pool, client, instance)
            except (httpx.HTTPError, TimeoutError, VaultError, ValueError, KeyError) as error:
                logger.warning(
                    "record events of %s not collected: %s", instance.consumer, repr(error)
                )
                return Collected(instance.consumer, 0, repr(error))
            return Collected(instance.consumer, emitted)

    return list(await asyncio.gather(*(one(instance) for instance in instances)))
