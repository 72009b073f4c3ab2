"""What the control plane's /metrics tells of the platform, read when it is scraped (at
most every REFRESH_SECONDS, whichever worker answers), never on a request: the job queue
(jobs waiting and the oldest one's wait, jobs running, workers alive), the database's
size and the connections to it by state (every process's: servers, workers)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
from prometheus_client.core import GaugeMetricFamily, Metric
from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from control_plane.insights.queries import platform_figures
from control_plane.insights.queries.platform_figures import Connections, Queue

logger = logging.getLogger("control_plane.metrics")
REFRESH_SECONDS = 5.0


@dataclass(frozen=True)
class Figures:
    queue: Queue
    database_size_bytes: int
    connections: list[Connections]


class PlatformCollector:
    """The last figures read; none while the database cannot be reached."""

    def __init__(self) -> None:
        self.figures: Figures | None = None
        self._read_at = -REFRESH_SECONDS
        self._lock = asyncio.Lock()

    async def refresh(self, pool: AsyncConnectionPool[AsyncConnection[Any]]) -> None:
        async with self._lock:
            if time.monotonic() - self._read_at < REFRESH_SECONDS:
                return
            try:
                async with pool.connection() as connection:
                    self.figures = Figures(
                        await platform_figures.queue(connection),
                        await platform_figures.database_size(connection),
                        await platform_figures.connections(connection),
                    )
            except psycopg.Error as error:
                logger.warning("platform figures not read: %s", type(error).__name__)
                self.figures = None
            self._read_at = time.monotonic()

    def collect(self) -> Iterator[Metric]:
        figures = self.figures
        if figures is None:
            return
        queue = figures.queue
        yield GaugeMetricFamily(
            "control_plane_jobs_queued", "Jobs due and waiting for a worker.", value=queue.queued
        )
        yield GaugeMetricFamily(
            "control_plane_jobs_oldest_queued_seconds",
            "How long the oldest waiting job has waited.",
            value=queue.oldest_queued_seconds or 0,
        )
        yield GaugeMetricFamily(
            "control_plane_jobs_running", "Jobs a worker runs.", value=queue.running
        )
        yield GaugeMetricFamily(
            "control_plane_workers_alive",
            "Job workers whose heartbeat is recent.",
            value=queue.workers_alive,
        )
        yield GaugeMetricFamily(
            "control_plane_db_size_bytes",
            "Size of the control plane's database.",
            value=figures.database_size_bytes,
        )
        connections = GaugeMetricFamily(
            "control_plane_db_connections",
            "Connections to the control plane's database, by state.",
            labels=["state"],
        )
        for row in figures.connections:
            connections.add_metric([row.state], row.count)
        yield connections
