"""The days of `insights_events`: partitions made ahead of time, so that no writer waits
on making one (writers still make a missing day on demand), and retention, which drops
the partitions of days older than INSIGHTS_RETENTION_DAYS whole (no DELETE of millions
of rows, no bloat). The rollups are separate tables and stay."""

from __future__ import annotations

from datetime import date, timedelta

from psycopg_pool import AsyncConnectionPool

from control_plane.db import Conn
from control_plane.insights.queries import events
from control_plane.insights.queries.events import Partition

DAYS_AHEAD = 7


async def make_ahead(pool: AsyncConnectionPool[Conn], today: date) -> list[date]:
    """Make the partitions of today and the next DAYS_AHEAD days; the days."""
    days = [today + timedelta(days=offset) for offset in range(DAYS_AHEAD + 1)]
    async with pool.connection() as connection:
        for day in days:
            await events.ensure_partition(connection, day)
    return days


async def drop_expired(
    pool: AsyncConnectionPool[Conn], today: date, retention_days: int
) -> list[Partition]:
    """Drop the partitions of the days wholly older than `retention_days`; those dropped.
    An event `retention_days` old is kept until its whole day is past the limit."""
    oldest_kept = today - timedelta(days=retention_days)
    async with pool.connection() as connection:
        expired = await events.partitions_before(connection, oldest_kept)
        for partition in expired:
            async with connection.transaction():
                await events.drop_partition(connection, partition)
    return expired
