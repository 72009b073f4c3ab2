"""A deployment target's resources, read over SSH with its stored key by one short
command: its load (/proc/loadavg), memory (/proc/meminfo) and root disk (df). A target
that cannot be reached gives a reading that says so, with the reason."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

from control_plane.insights.queries.target_readings import Reading
from control_plane.runtime.queries.targets import Credentials
from deployment.inventory import Target
from deployment.remote import RemoteError, key_file, run_command
from deployment.runner import Connection

COMMAND = "cat /proc/loadavg /proc/meminfo && df -Pk /"
READ_SECONDS = 5.0


def parse(output: str, collected_at: datetime, target_id: uuid.UUID) -> Reading:
    """The command's output read; ValueError if it is not what the command prints."""
    lines = output.splitlines()
    load = [float(value) for value in lines[0].split()[:3]]
    memory: dict[str, int] = {}
    for line in lines[1:]:
        name, _, rest = line.partition(":")
        if rest.strip().endswith("kB"):
            memory[name] = int(rest.split()[0]) * 1024
    disk = lines[-1].split()  # Filesystem 1024-blocks Used Available Capacity Mounted-on
    return Reading(
        target_id=target_id,
        collected_at=collected_at,
        reachable=True,
        load_average=load,
        memory_total_bytes=memory["MemTotal"],
        memory_available_bytes=memory["MemAvailable"],
        disk_total_bytes=int(disk[1]) * 1024,
        disk_used_bytes=int(disk[2]) * 1024,
    )


async def read(target: Credentials, key: str, known_hosts: Path) -> Reading:
    collected_at = datetime.now(UTC)
    host = Target(target.username, target.host, target.port)
    try:
        with key_file(key) as path:
            connection = Connection(known_hosts=known_hosts, key_file=path)
            output = await run_command(host, connection, COMMAND, READ_SECONDS)
        return parse(output, collected_at, target.id)
    except RemoteError as error:
        return Reading(target.id, collected_at, reachable=False, error=str(error)[:500])
    except (ValueError, IndexError, KeyError):
        return Reading(target.id, collected_at, reachable=False, error="unexpected output")
