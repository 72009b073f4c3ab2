"""The body of `/system-metrics/`: the control plane's machine, database and jobs, and the
organisation's deployment targets as the metrics job last read them."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel


class Memory(BaseModel):
    total_mb: float
    available_mb: float
    used_percent: float


class Disk(BaseModel):
    path: str
    total_gb: float
    used_gb: float
    used_percent: float


class Machine(BaseModel):
    cpu_count: int
    cpu_percent: float  # over a quarter of a second
    load_average: list[float]  # 1, 5 and 15 minutes
    memory: Memory
    disk: Disk  # of the data folder (NOCODE_DATA_DIR)


class DatabaseStatus(BaseModel):
    size_mb: float
    connections: dict[str, int]  # by state (active, idle, ...), every process's
    max_connections: int


class JobsStatus(BaseModel):
    queued: int
    oldest_queued_seconds: float | None
    running: int
    workers_alive: int


class TargetStatus(BaseModel):
    id: uuid.UUID
    name: str
    host: str
    reachable: bool | None  # None: not read yet
    collected_at: datetime | None
    error: str | None
    load_average: list[float] | None
    memory: Memory | None
    disk: Disk | None


class SystemMetricsPublic(BaseModel):
    organization_id: uuid.UUID
    collected_at: datetime
    control_plane: Machine
    database: DatabaseStatus
    jobs: JobsStatus
    targets: list[TargetStatus]
