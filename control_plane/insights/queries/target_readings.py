"""SQL of `insights_target_readings`: what the metrics job last read of each deployment
target over SSH, and the organisation's targets with it."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from datetime import datetime

from control_plane.db import Conn, fetch_all


@dataclass(frozen=True)
class Reading:
    target_id: uuid.UUID
    collected_at: datetime
    reachable: bool
    error: str | None = None
    load_average: list[float] | None = None
    memory_total_bytes: int | None = None
    memory_available_bytes: int | None = None
    disk_total_bytes: int | None = None
    disk_used_bytes: int | None = None


@dataclass(frozen=True)
class TargetReading:
    """A target of the organisation, with its last reading (None: not read yet)."""

    id: uuid.UUID
    name: str
    host: str
    collected_at: datetime | None
    reachable: bool | None
    error: str | None
    load_average: list[float] | None
    memory_total_bytes: int | None
    memory_available_bytes: int | None
    disk_total_bytes: int | None
    disk_used_bytes: int | None


UPSERT = """
INSERT INTO insights_target_readings AS r (target_id, collected_at, reachable, error,
    load_average, memory_total_bytes, memory_available_bytes, disk_total_bytes, disk_used_bytes)
SELECT %(target_id)s, %(collected_at)s, %(reachable)s, %(error)s, %(load_average)s,
    %(memory_total_bytes)s, %(memory_available_bytes)s, %(disk_total_bytes)s,
    %(disk_used_bytes)s
WHERE EXISTS (SELECT FROM runtime_targets WHERE id = %(target_id)s)  -- not deleted meanwhile
ON CONFLICT (target_id) DO UPDATE SET collected_at = excluded.collected_at,
    reachable = excluded.reachable, error = excluded.error,
    load_average = excluded.load_average, memory_total_bytes = excluded.memory_total_bytes,
    memory_available_bytes = excluded.memory_available_bytes,
    disk_total_bytes = excluded.disk_total_bytes, disk_used_bytes = excluded.disk_used_bytes
"""

OF_ORGANIZATION = """
SELECT t.id, t.name, t.host, r.collected_at, r.reachable, r.error, r.load_average,
       r.memory_total_bytes, r.memory_available_bytes, r.disk_total_bytes, r.disk_used_bytes
FROM runtime_targets t LEFT JOIN insights_target_readings r ON r.target_id = t.id
WHERE t.organization_id = %(organization)s
ORDER BY t.name, t.id
"""


async def save(connection: Conn, reading: Reading) -> None:
    await connection.execute(UPSERT, asdict(reading))


async def of_organization(connection: Conn, organization_id: uuid.UUID) -> list[TargetReading]:
    return await fetch_all(
        connection, TargetReading, OF_ORGANIZATION, {"organization": organization_id}
    )
