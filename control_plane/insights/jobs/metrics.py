"""Job kinds of the metrics: apps' performance and system metrics, gathered on a schedule.

`insights.collect_metrics`, every minute: every deployed instance's /health and /metrics
and the control plane's own (INSIGHTS_CONTROL_PLANE_URL) stored as samples, every target's
resources read over SSH (services/collection.py). One attempt: the next minute's run is
the retry. `insights.prune_metrics`, hourly: samples older than INSIGHTS_RETENTION_DAYS
deleted."""

from __future__ import annotations

from datetime import timedelta

from control_plane.config import get_settings
from control_plane.insights.queries import metric_samples
from control_plane.insights.services import collection
from control_plane.jobs import JobContext, registry


@registry.kind("insights.collect_metrics", max_attempts=1, timeout_seconds=50)
async def collect_metrics(context: JobContext) -> None:
    settings = get_settings()
    collected = await collection.collect_samples(context.pool, settings.insights_control_plane_url)
    targets = await collection.read_targets(context.pool, settings)
    await context.log(
        f"{collected.samples} samples from {collected.sources} servers"
        f" ({collected.reachable} answered); {targets} targets read"
    )


@registry.kind("insights.prune_metrics", max_attempts=3, timeout_seconds=600)
async def prune_metrics(context: JobContext) -> None:
    age = timedelta(days=get_settings().insights_retention_days)
    async with context.pool.connection() as connection:
        deleted = await metric_samples.prune(connection, age)
    await context.log(f"deleted {deleted} samples")


registry.schedule(collect_metrics, "* * * * *", schedule_id="every-minute")
registry.schedule(prune_metrics, "29 * * * *", schedule_id="hourly")
