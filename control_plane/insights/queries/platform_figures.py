"""SQL of the platform's own figures: its job queue and workers (procrastinate's tables),
its database's size and the connections to it."""

from __future__ import annotations

from dataclasses import dataclass

from control_plane.db import Conn, fetch_all, fetch_one


@dataclass(frozen=True)
class Queue:
    queued: int  # jobs waiting for a worker, due now
    oldest_queued_seconds: float | None  # how long the oldest of them has waited
    running: int
    workers_alive: int  # workers whose heartbeat is recent


@dataclass(frozen=True)
class Connections:
    state: str
    count: int


# A job waits from its deferral, or from the time it was scheduled for (a retry, a cron
# tick). A worker is alive while its heartbeat is younger than the stall limit (30 s).
QUEUE = """
WITH waiting AS (
    SELECT j.id, coalesce(j.scheduled_at, d.at) AS since
    FROM procrastinate_jobs j
    LEFT JOIN LATERAL (
        SELECT min(at) AS at FROM procrastinate_events e
        WHERE e.job_id = j.id AND e.type = 'deferred'
    ) d ON true
    WHERE j.status = 'todo' AND (j.scheduled_at IS NULL OR j.scheduled_at <= now())
)
SELECT (SELECT count(*) FROM waiting)::int AS queued,
       round(extract(epoch FROM now() - (SELECT min(since) FROM waiting)), 1)::float8
           AS oldest_queued_seconds,
       (SELECT count(*) FROM procrastinate_jobs WHERE status = 'doing')::int AS running,
       (SELECT count(*) FROM procrastinate_workers
        WHERE last_heartbeat > now() - interval '30 seconds')::int AS workers_alive
"""

DATABASE_SIZE = "SELECT pg_database_size(current_database())"

# Every connection to the control plane's database, by state, but the asker's own.
CONNECTIONS = """
SELECT coalesce(state, 'unknown') AS state, count(*)::int AS count
FROM pg_stat_activity
WHERE datname = current_database() AND pid <> pg_backend_pid()
GROUP BY 1 ORDER BY 1
"""

MAX_CONNECTIONS = "SELECT current_setting('max_connections')::int"


async def queue(connection: Conn) -> Queue:
    found = await fetch_one(connection, Queue, QUEUE, {})
    assert found is not None
    return found


async def database_size(connection: Conn) -> int:
    cursor = await connection.execute(DATABASE_SIZE)
    row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def connections(connection: Conn) -> list[Connections]:
    return await fetch_all(connection, Connections, CONNECTIONS, {})


async def max_connections(connection: Conn) -> int:
    cursor = await connection.execute(MAX_CONNECTIONS)
    row = await cursor.fetchone()
    return int(row[0]) if row else 0
