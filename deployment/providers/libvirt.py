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
import json
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from deployment.errors import INVALID_CONFIGURATION, NOT_DEPLOYABLE
from deployment.inventory import Target
from deployment.providers.base import (
    Machine,
    MachineKind,
    MachineRequest,
    MachineState,
    MachineStats,
    ProvisionError,
)
from deployment.record import Listener, Recorder
from deployment.runner import Connection, run_playbook

HOSTS = "nocode_libvirt_hosts"
PLAYBOOKS = {"provision": "provision_libvirt.yml", "deprovision": "deprovision_libvirt.yml"}
# A domain's name is the guest's host name: letters, digits and inner hyphens.
_NAME = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")
# libvirt's domain states (virDomainState) as the contract names them.
_STATES: dict[int, MachineState] = {1: "running", 2: "running", 3: "running", 4: "stopped"}
_GB = 1024**3

Accelerator = Literal["auto", "kvm", "qemu"]


def _default_known_hosts() -> Path:
    return Path.home() / ".config" / "nocode" / "known_hosts"


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
    known_hosts: Path = field(default_factory=_default_known_hosts)
    key_file: Path | None = None


class LibvirtProvider:
    """The `Provider` of libvirt VMs: every call is one run of a playbook of the role."""

    kind: MachineKind = "vm"

    def __init__(self, settings: LibvirtSettings) -> None:
        self.settings = settings

    def provision(self, request: MachineRequest, listener: Listener | None = None) -> Machine:
        address = self._checked(request)
        result = self._run(
            "provision",
            request.name,
            listener,
            nocode_libvirt_vm_id=request.vm_id,
            nocode_libvirt_address=str(address),
            nocode_libvirt_cores=request.resources.cores,
            nocode_libvirt_memory=request.resources.memory,
            nocode_libvirt_disk=request.resources.disk,
            nocode_libvirt_ssh_public_key=request.ssh_public_key.strip(),
        )
        return Machine(
            name=request.name,
            kind="vm",
            vm_id=int(result["vm_id"]),
            ip_address=str(result["ip_address"]),
        )

    def status(self, name: str) -> MachineState:
        return self.stats(name).state

    def start(self, name: str) -> None:
        self._run("start", name)

    def stop(self, name: str) -> None:
        self._run("stop", name)

    def destroy(self, name: str, listener: Listener | None = None) -> None:
        self._run("deprovision", name, listener)

    def stats(self, name: str) -> MachineStats:
        result = self._run("stats", name)
        if not result["exists"]:
            return MachineStats(state="absent")
        return stats_of(domstats(result["domstats"]))

    def _checked(self, request: MachineRequest) -> ipaddress.IPv4Interface:
        """The request's address, refused before anything runs if it cannot be served here."""
        if request.kind != "vm":
            raise ProvisionError(INVALID_CONFIGURATION, f"{request.name}: not a VM request")
        _check_name(request.name)
        address = request.address
        network = self.settings.gateway.network
        if (
            address is None
            or address.ip not in network
            or address.ip
            in (
                self.settings.gateway.ip,
                network.network_address,
                network.broadcast_address,
            )
        ):
            raise ProvisionError(
                INVALID_CONFIGURATION,
                f"{request.name}: address {address} is not a free host address of {network}",
            )
        return ipaddress.IPv4Interface(f"{address.ip}/{network.prefixlen}")

    def _run(
        self, action: str, name: str, listener: Listener | None = None, **variables: object
    ) -> dict[str, Any]:
        """Run the role's `action` for machine `name`; its result, or ProvisionError."""
        _check_name(name)
        settings = self.settings
        recorder = Recorder(listener)
        with tempfile.TemporaryDirectory(prefix="nocode-libvirt-") as private:
            result_file = Path(private, "result.json")
            code = run_playbook(
                PLAYBOOKS.get(action, "libvirt.yml"),
                self._inventory(),
                {
                    "nocode_libvirt_action": action,
                    "nocode_libvirt_name": name,
                    "nocode_libvirt_uri": settings.uri,
                    "nocode_libvirt_network": settings.network,
                    "nocode_libvirt_gateway": str(settings.gateway),
                    "nocode_libvirt_image_dir": str(settings.image_dir),
                    "nocode_libvirt_accelerator": settings.accelerator,
                    "nocode_libvirt_mirror": settings.mirror,
                    "nocode_libvirt_apt_proxy": settings.apt_proxy,
                    "nocode_libvirt_ssh_timeout": settings.ssh_timeout,
                    "nocode_libvirt_result_file": str(result_file),
                    **variables,
                },
                Connection(known_hosts=settings.known_hosts, key_file=settings.key_file),
                recorder,
            )
            failure = recorder.failure
            if code != 0 or failure is not None:
                message = failure.message if failure else f"ansible-playbook exited with {code}"
                where = f"step {failure.step}: " if failure else ""
                raise ProvisionError(
                    failure.code if failure else NOT_DEPLOYABLE,
                    f"{action} {name}: {where}{message}",
                )
            if not result_file.exists():
                return {}
            result: dict[str, Any] = json.loads(result_file.read_text(encoding="utf-8"))
            return result

    def _inventory(self) -> dict[str, object]:
        host = self.settings.host
        # The libvirt modules import the libvirt binding: Debian's python3-libvirt.
        variables: dict[str, object] = {"ansible_python_interpreter": "/usr/bin/python3"}
        if host is None:
            entry = {"localhost": {**variables, "ansible_connection": "local"}}
        else:
            variables.update(
                ansible_host=host.address, ansible_port=host.port, ansible_user=host.user
            )
            if self.settings.key_file is not None:
                variables["ansible_ssh_private_key_file"] = str(self.settings.key_file)
            entry = {host.address: variables}
        return {HOSTS: {"hosts": entry}}


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


def _check_name(name: str) -> None:
    if not _NAME.match(name):
        raise ProvisionError(
            INVALID_CONFIGURATION,
            f"{name!r} is not a machine name (letters, digits and inner hyphens)",
        )
