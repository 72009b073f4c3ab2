"""LXC containers on this machine or on a Debian host over SSH (ansible/roles/nocode_lxc).

Each container is an overlay snapshot of one base container (Debian bookworm with what a
deployment installs, made once per host), with its own address on a bridge, its cores as a
cpuset, a memory limit and a disk: the overlay's upper layer lives on a sparse ext4 image of
the request's size, loop-mounted, so that writing past it fails with ENOSPC.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deployment.inventory import Target
from deployment.providers.base import MachineKind, MachineStats
from deployment.providers.playbooks import PlaybookProvider, default_known_hosts


@dataclass(frozen=True)
class LxcSettings:
    """Where containers are made. `host` None is this machine (run as root); otherwise a
    Debian host reached over SSH as a user who may become root, its host key checked against
    `known_hosts`, with `key_file` (or ssh's default keys)."""

    lxc_path: Path = Path("/var/lib/nocode/lxc")
    bridge: str = "nocodebr0"
    gateway: ipaddress.IPv4Interface = ipaddress.IPv4Interface("10.211.0.1/24")
    base: str = "nocode-base"
    host: Target | None = None
    known_hosts: Path = field(default_factory=default_known_hosts)
    key_file: Path | None = None


class LxcProvider(PlaybookProvider):
    """The `Provider` of LXC containers: every call is one playbook run (provision_lxc.yml,
    lxc.yml for start, stop and stats, deprovision_lxc.yml) against the LXC host."""

    kind: MachineKind = "lxc"
    role = "lxc"

    def __init__(self, settings: LxcSettings) -> None:
        super().__init__(settings.gateway, settings.host, settings.known_hosts, settings.key_file)
        self.settings = settings

    def _variables(self) -> dict[str, object]:
        return {
            "nocode_lxc_path": str(self.settings.lxc_path),
            "nocode_lxc_bridge": self.settings.bridge,
            "nocode_lxc_gateway": str(self.settings.gateway),
            "nocode_lxc_base": self.settings.base,
        }

    def stats(self, name: str) -> MachineStats:
        result = self._run("stats", name)
        return MachineStats(
            state=result["state"],
            cpu_seconds=_number(result, "cpu_seconds"),
            memory_used=_whole(result, "memory_used"),
            memory_total=_whole(result, "memory_total"),
            disk_used=_number(result, "disk_used"),
            disk_total=_number(result, "disk_total"),
            details={"cpuset": result["cpuset"]} if "cpuset" in result else {},
        )


def _number(result: dict[str, Any], key: str) -> float | None:
    """A measure of the result (Ansible writes numbers computed by templates as text)."""
    value = result.get(key)
    return None if value is None else float(value)


def _whole(result: dict[str, Any], key: str) -> int | None:
    value = _number(result, key)
    return None if value is None else round(value)
