"""SQL of collecting record events from deployed apps: the instances to read, and each
one's cursor in `platform_event_cursors` (consumer `app:<app id>:<environment>`)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from control_plane.db import Conn, fetch_all, fetch_value


@dataclass(frozen=True)
class AppInstance:
    """An app served in an environment: where, and the key of its tokens."""

    app_id: uuid.UUID
    environment: str
    organization_id: uuid.UUID
    project_id: uuid.UUID
    url: str  # the base URL, http://127.0.0.1:PORT for the local target
    jwt_secret: bytes  # encrypted (platform_support.vault)

    @property
    def consumer(self) -> str:
        return f"app:{self.app_id}:{self.environment}"


INSTANCES = """
SELECT i.app_id, i.environment, a.organization_id, a.project_id, i.url, a.jwt_secret
FROM runtime_instances AS i
JOIN runtime_apps AS a ON a.id = i.app_id
ORDER BY i.app_id, i.environment
"""

CURSOR = "SELECT last_event_id FROM platform_event_cursors WHERE consumer = %(consumer)s"

# Made if missing, then locked until the caller's transaction ends: collectors of the same
# instance take turns, and each sees where the one before it stopped.
ENSURE_CURSOR = """
INSERT INTO platform_event_cursors (consumer) VALUES (%(consumer)s)
ON CONFLICT (consumer) DO NOTHING
"""
LOCK_CURSOR = """
SELECT last_event_id FROM platform_event_cursors WHERE consumer = %(consumer)s FOR UPDATE
"""

ADVANCE_CURSOR = """
UPDATE platform_event_cursors SET last_event_id = %(position)s WHERE consumer = %(consumer)s
"""


# A session lock: one collection pass at a time, across workers; it ends with its session
# if the worker dies.
PASS_LOCK = 7_341_002_650
TRY_PASS_LOCK = "SELECT pg_try_advisory_lock(%(lock)s)"
PASS_UNLOCK = "SELECT pg_advisory_unlock(%(lock)s)"


async def try_pass_lock(connection: Conn) -> bool:
    return bool(await fetch_value(connection, bool, TRY_PASS_LOCK, {"lock": PASS_LOCK}))


async def pass_unlock(connection: Conn) -> None:
    await connection.execute(PASS_UNLOCK, {"lock": PASS_LOCK})


async def instances(connection: Conn) -> list[AppInstance]:
    return await fetch_all(connection, AppInstance, INSTANCES, {})


async def cursor_of(connection: Conn, consumer: str) -> int:
    """The last event position `consumer` kept; 0 before the first."""
    return await fetch_value(connection, int, CURSOR, {"consumer": consumer}) or 0


async def locked_cursor(connection: Conn, consumer: str) -> int:
    """The cursor of `consumer`, locked for the caller's transaction."""
    await connection.execute(ENSURE_CURSOR, {"consumer": consumer})
    return await fetch_value(connection, int, LOCK_CURSOR, {"consumer": consumer}) or 0


async def advance(connection: Conn, consumer: str, position: int) -> None:
    await connection.execute(ADVANCE_CURSOR, {"consumer": consumer, "position": position})
