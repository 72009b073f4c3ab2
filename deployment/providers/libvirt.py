"""libvirt/QEMU virtual machines on this machine or on a Debian host over SSH
(ansible/provision_libvirt.yml, deprovision_libvirt.yml and libvirt.yml, role
ansible/roles/nocode_libvirt, driven by community.libvirt).

Each VM boots the kernel of a base image (Debian with what a deployment installs, built once
per host) directly, its disk a qcow2 overlay of that image of the requested size; a small
config disk gives it its host name and root's key, and the libvirt network leases it its
address by MAC. KVM where the host runs a guest under it, software emulation otherwise.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from deployment.inventory import Target
from deployment.providers.base import MachineKind, MachineState, MachineStats
from deployment.providers.playbooks import PlaybookProvider, default_known_hosts

# libvirt's domain states (virDomainState) as the contract names them.
_STATES: dict[int, MachineState] = {1: "running", 2: "running", 3: "running", 4: "stopped"}
_GB = 1024**3

Accelerator = Literal["auto", "kvm", "qemu"]


@dataclass(frozen=True)
class LibvirtSettings:
    """Where VMs are made. `host` None is this machine (run as root); otherwise a Debian
    host reached over SSH as a user who may become root, its host key checked against
    `known_hosts`, with `key_file` (or ssh's default keys). The network (its bridge has the
    same name, 15 characters at most) is made on first use with `gateway` as the host's
    address; base images and machines' disks live in `image_dir`."""

    uri: str = "qemu:///system"
    network: str = "nocode-vms"
    gateway: ipaddress.IPv4Interface = ipaddress.IPv4Interface("10.212.0.1/24")
    image_dir: Path = Path("/var/lib/nocode/images")
    accelerator: Accelerator = "auto"
    mirror: str = "http://deb.debian.org/debian"
    apt_proxy: str = ""  # e.g. http://10.212.0.1:3142, reached by the host (its build) and guests
    ssh_timeout: int = 300
    host: Target | None = None
    known_hosts: Path = field(default_factory=default_known_hosts)
    key_file: Path | None = None


class LibvirtProvider(PlaybookProvider):
    """The `Provider` of libvirt VMs: every call is one run of a playbook of the role."""

    kind: MachineKind = "vm"
    role = "libvirt"

    def __init__(self, settings: LibvirtSettings) -> None:
        super().__init__(settings.gateway, settings.host, settings.known_hosts, settings.key_file)
        self.settings = settings

    def _variables(self) -> dict[str, object]:
        settings = self.settings
        return {
            "nocode_libvirt_uri": settings.uri,
            "nocode_libvirt_network": settings.network,
            "nocode_libvirt_gateway": str(settings.gateway),
            "nocode_libvirt_image_dir": str(settings.image_dir),
            "nocode_libvirt_accelerator": settings.accelerator,
            "nocode_libvirt_mirror": settings.mirror,
            "nocode_libvirt_apt_proxy": settings.apt_proxy,
            "nocode_libvirt_ssh_timeout": settings.ssh_timeout,
        }

    def stats(self, name: str) -> MachineStats:
        result = self._run("stats", name)
        if not result["exists"]:
            return MachineStats(state="absent")
        return stats_of(domstats(result["domstats"]))


def domstats(lines: list[str]) -> dict[str, str]:
    """`virsh domstats --raw`'s `key=value` lines (after the `Domain:` line) as a dict."""
    pairs = (line.strip().partition("=") for line in lines)
    return {key: value for key, separator, value in pairs if separator}


def stats_of(values: dict[str, str]) -> MachineStats:
    """A running or stopped domain's statistics: CPU time, memory as the guest reports it
    (its balloon driver; a stopped one reports none), and its disk: what its overlay file takes
    on the host (above the shared base image) and its size."""

    def number(key: str) -> int | None:
        return int(values[key]) if key in values else None

    state = _STATES.get(number("state.state") or 0, "stopped")
    cpu = number("cpu.time")
    available, unused = number("balloon.available"), number("balloon.unused")
    maximum = number("balloon.maximum")
    used = available - unused if available is not None and unused is not None else None
    allocation, capacity = number("block.0.physical"), number("block.0.capacity")
    return MachineStats(
        state=state,
        cpu_seconds=cpu / 1e9 if cpu is not None else None,
        memory_used=used // 1024 if used is not None else None,
        memory_total=maximum // 1024 if maximum is not None else None,
        disk_used=round(allocation / _GB, 3) if allocation is not None else None,
        disk_total=round(capacity / _GB, 3) if capacity is not None else None,
        details={"vcpus": number("vcpu.current"), "memory_rss_mb": _mb(number("balloon.rss"))},
    )


def _mb(kib: int | None) -> int | None:
    return kib // 1024 if kib is not None else None
