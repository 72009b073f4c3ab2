"""SQL of `runtime_instances`: what serves an app in each environment, and where."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from control_plane.db import Conn, fetch_one


@dataclass(frozen=True)
class Instance:
    app_id: uuid.UUID
    environment: str
    target_id: uuid.UUID | None
    url: str
    local_port: int | None
    run_id: uuid.UUID | None
    updated_at: datetime


ONE = """
SELECT app_id, environment, target_id, url, local_port, run_id, updated_at
FROM runtime_instances WHERE app_id = %(app)s AND environment = %(environment)s
"""

LOCAL_ENVIRONMENTS = """
SELECT environment FROM runtime_instances WHERE app_id = %(app)s AND target_id IS NULL
"""

LOCAL_PORTS = "SELECT local_port FROM runtime_instances WHERE local_port IS NOT NULL"

UPSERT = """
INSERT INTO runtime_instances (app_id, environment, target_id, url, local_port, run_id)
VALUES (%(app)s, %(environment)s, %(target)s, %(url)s, %(port)s, %(run)s)
ON CONFLICT (app_id, environment) DO UPDATE SET target_id = excluded.target_id,
    url = excluded.url, local_port = excluded.local_port, run_id = excluded.run_id,
    updated_at = now()
"""


async def one(connection: Conn, app_id: uuid.UUID, environment: str) -> Instance | None:
    values = {"app": app_id, "environment": environment}
    return await fetch_one(connection, Instance, ONE, values)


async def local_environments(connection: Conn, app_id: uuid.UUID) -> list[str]:
    """The environments in which the local target serves the app."""
    async with connection.cursor() as cursor:
        await cursor.execute(LOCAL_ENVIRONMENTS, {"app": app_id})
        return [str(row[0]) for row in await cursor.fetchall()]


async def local_ports(connection: Conn) -> set[int]:
    """The ports the local target's instances have."""
    async with connection.cursor() as cursor:
        await cursor.execute(LOCAL_PORTS)
        return {int(row[0]) for row in await cursor.fetchall()}


async def upsert(
    connection: Conn,
    app_id: uuid.UUID,
    environment: str,
    target_id: uuid.UUID | None,
    url: str,
    local_port: int | None,
    run_id: uuid.UUID,
) -> None:
    values = {
        "app": app_id,
        "environment": environment,
        "target": target_id,
        "url": url,
        "port": local_port,
        "run": run_id,
    }
    await connection.execute(UPSERT, values)
