"""Job kinds of the events: partitions made ahead (daily), retention (daily: days older
than INSIGHTS_RETENTION_DAYS dropped, rollups kept), and the activity collector, a pass
every worker runs at once when a source is written and every few seconds
(services/collector.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from control_plane.config import get_settings
from control_plane.insights.services import collector, partitions
from control_plane.jobs import JobContext, registry

COLLECTOR_SECONDS = 5  # the fallback to the NOTIFY of 0701_insights_activities.sql
COLLECTOR_CHANNEL = "insights_activities"


@registry.kind("insights.partitions", max_attempts=3, timeout_seconds=300)
async def make_partitions(context: JobContext) -> None:
    days = await partitions.make_ahead(context.pool, datetime.now(UTC).date())
    await context.log(f"partitions ready from {days[0]} to {days[-1]}")


@registry.kind("insights.retention", max_attempts=3, timeout_seconds=600)
async def drop_old_events(context: JobContext) -> None:
    retention_days = get_settings().insights_retention_days
    today = datetime.now(UTC).date()
    dropped = await partitions.drop_expired(context.pool, today, retention_days)
    await context.log(f"dropped {len(dropped)} days: {', '.join(p.name for p in dropped)}")


@registry.repeat("insights.activities", every_seconds=COLLECTOR_SECONDS, channel=COLLECTOR_CHANNEL)
async def collect_activities(pool: AsyncConnectionPool[AsyncConnection[Any]]) -> None:
    await collector.collect(pool)


registry.schedule(make_partitions, "7 0 * * *", schedule_id="daily")
registry.schedule(drop_old_events, "23 0 * * *", schedule_id="daily")
