"""`/system-metrics/` (INSIGHTS_MANAGE: ADMIN, OWNER): the control plane's machine read
now with psutil, its database and job queue read now, and the organisation's targets as
the metrics job last read them over SSH (an unreachable one says so, with why)."""

from __future__ import annotations

import asyncio
import os
import uuid
from datetime import UTC, datetime
from pathlib import Path

import psutil

from control_plane.db import Conn
from control_plane.foundation.permissions import Permission, authorize
from control_plane.insights.models.system_metrics import (
    DatabaseStatus,
    Disk,
    JobsStatus,
    Machine,
    Memory,
    SystemMetricsPublic,
    TargetStatus,
)
from control_plane.insights.queries import platform_figures, target_readings
from control_plane.insights.queries.target_readings import TargetReading

MEGABYTE = 1024 * 1024
GIGABYTE = 1024 * MEGABYTE
CPU_SAMPLE_SECONDS = 0.25


def _memory(total: int, available: int) -> Memory:
    used = (total - available) / total * 100 if total else 0.0
    return Memory(
        total_mb=round(total / MEGABYTE, 1),
        available_mb=round(available / MEGABYTE, 1),
        used_percent=round(used, 1),
    )


def _disk(path: str, total: int, used: int) -> Disk:
    return Disk(
        path=path,
        total_gb=round(total / GIGABYTE, 2),
        used_gb=round(used / GIGABYTE, 2),
        used_percent=round(used / total * 100, 1) if total else 0.0,
    )


def _machine(data_dir: Path) -> Machine:
    """Blocking: samples the CPU for CPU_SAMPLE_SECONDS."""
    memory = psutil.virtual_memory()
    folder = data_dir if data_dir.exists() else Path("/")
    disk = psutil.disk_usage(str(folder))
    return Machine(
        cpu_count=psutil.cpu_count() or 1,
        cpu_percent=psutil.cpu_percent(interval=CPU_SAMPLE_SECONDS),
        load_average=[round(value, 2) for value in os.getloadavg()],
        memory=_memory(memory.total, memory.available),
        disk=_disk(str(folder), disk.total, disk.used),
    )


def _target(row: TargetReading) -> TargetStatus:
    memory = (
        _memory(row.memory_total_bytes, row.memory_available_bytes)
        if row.memory_total_bytes is not None and row.memory_available_bytes is not None
        else None
    )
    disk = (
        _disk("/", row.disk_total_bytes, row.disk_used_bytes)
        if row.disk_total_bytes is not None and row.disk_used_bytes is not None
        else None
    )
    return TargetStatus(
        id=row.id,
        name=row.name,
        host=row.host,
        reachable=row.reachable,
        collected_at=row.collected_at,
        error=row.error,
        load_average=row.load_average,
        memory=memory,
        disk=disk,
    )


async def read(
    connection: Conn, user_id: uuid.UUID, organization_id: uuid.UUID, data_dir: Path
) -> SystemMetricsPublic:
    await authorize(connection, user_id, organization_id, Permission.INSIGHTS_MANAGE)
    machine = asyncio.create_task(asyncio.to_thread(_machine, data_dir))
    queue = await platform_figures.queue(connection)
    size = await platform_figures.database_size(connection)
    connections = await platform_figures.connections(connection)
    max_connections = await platform_figures.max_connections(connection)
    targets = await target_readings.of_organization(connection, organization_id)
    return SystemMetricsPublic(
        organization_id=organization_id,
        collected_at=datetime.now(UTC),
        control_plane=await machine,
        database=DatabaseStatus(
            size_mb=round(size / MEGABYTE, 2),
            connections={row.state: row.count for row in connections},
            max_connections=max_connections,
        ),
        jobs=JobsStatus(
            queued=queue.queued,
            oldest_queued_seconds=queue.oldest_queued_seconds,
            running=queue.running,
            workers_alive=queue.workers_alive,
        ),
        targets=[_target(row) for row in targets],
    )
