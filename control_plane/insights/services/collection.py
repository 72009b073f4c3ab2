"""One pass of the metrics job: every deployed instance's /health and /metrics, and the
control plane's own, read at once (each within runtime.services.health's 3 s: one dead
app never holds up the others) and stored as samples; every target's resources read over
SSH (each within 5 s) and kept as its last reading."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Awaitable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from control_plane.config import Settings, vault_of
from control_plane.insights.queries import metric_samples, target_readings
from control_plane.insights.queries.metric_samples import Deployed, Sample
from control_plane.insights.queries.target_readings import Reading
from control_plane.insights.services import target_resources
from control_plane.runtime import paths
from control_plane.runtime.queries import targets
from control_plane.runtime.queries.targets import Credentials
from control_plane.runtime.services.health import (
    TIMEOUT_SECONDS,
    Scrape,
    read_totals,
    scrape,
    unreachable,
)
from platform_support.vault import VaultError

Pool = AsyncConnectionPool[AsyncConnection[Any]]
Result = TypeVar("Result")
# Reads at once, at most: a thousand apps do not open a thousand sockets together.
CONCURRENCY = 32
UNREADABLE_KEY = "its key cannot be decrypted with this control plane's NOCODE_SECRET_KEY"


@dataclass(frozen=True)
class Collected:
    sources: int  # the instances, and the control plane when its URL is set
    reachable: int
    samples: int


def samples_of(found: Scrape, at: datetime, of: Deployed | None) -> list[Sample]:
    """What a scrape says, as samples of the app `of` (None: the control plane): `up` (1 if
    /health answered), `database_up` (1 if it said the database is fine), and the totals
    of /metrics (health.read_totals) when it could be read."""
    prefix = "app" if of is not None else "control_plane"
    health = found.health
    values = {"up": 1.0 if health.api == "responding" else 0.0}
    if health.api == "responding":
        values["database_up"] = 1.0 if health.database == "ok" else 0.0
    with contextlib.suppress(ValueError):  # not Prometheus' text: only its health counts
        values |= read_totals(found.metrics, prefix) if found.metrics else {}
    where: tuple[uuid.UUID | None, uuid.UUID | None, uuid.UUID | None, str | None] = (
        (of.organization_id, of.project_id, of.app_id, of.environment)
        if of is not None
        else (None, None, None, None)
    )
    return [Sample(*where, metric, at, value) for metric, value in sorted(values.items())]


async def _bounded(work: Iterable[Awaitable[Result]]) -> list[Result]:
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(item: Awaitable[Result]) -> Result:
        async with gate:
            return await item

    return await asyncio.gather(*(one(item) for item in work))


async def collect_samples(pool: Pool, control_plane_url: str | None) -> Collected:
    async with pool.connection() as connection:
        instances = await metric_samples.deployed(connection)
    at = datetime.now(UTC)
    sources: list[tuple[Deployed | None, str]] = [(i, i.url) for i in instances]
    if control_plane_url:
        sources.append((None, control_plane_url))
    scraped = await _bounded(_scrape_within(url) for _, url in sources)
    samples = [
        sample
        for (of, _), found in zip(sources, scraped, strict=True)
        for sample in samples_of(found, at, of)
    ]
    async with pool.connection() as connection:
        await metric_samples.insert(connection, samples)
    up = sum(1 for found in scraped if found.health.api == "responding")
    return Collected(len(sources), up, len(samples))


async def _scrape_within(url: str) -> Scrape:
    """health.scrape, bounded as a whole (its requests are, each, but not a slow trickle
    of bytes): past the bound, the app is unreachable."""
    try:
        async with asyncio.timeout(TIMEOUT_SECONDS + 1):
            return await scrape(url)
    except TimeoutError:
        return Scrape(unreachable(), None)


async def read_targets(pool: Pool, settings: Settings) -> int:
    async with pool.connection() as connection:
        keyed = await targets.with_keys(connection)
    vault = vault_of(settings)
    data_dir = settings.data_dir.resolve()

    async def read(target: Credentials) -> Reading:
        assert target.private_key is not None  # targets.with_keys
        try:
            key = vault.decrypt(target.private_key)
        except VaultError:
            return Reading(target.id, datetime.now(UTC), reachable=False, error=UNREADABLE_KEY)
        return await target_resources.read(target, key, paths.known_hosts(data_dir, target.id))

    readings = await _bounded(read(target) for target in keyed)
    async with pool.connection() as connection:
        for reading in readings:
            await target_readings.save(connection, reading)
    return len(readings)
