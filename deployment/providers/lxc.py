"""LXC containers on this machine or on a Debian host over SSH (ansible/roles/nocode_lxc).

Each container is an overlay snapshot of one base container (Debian bookworm with what a
deployment installs, made once per host), with its own address on a bridge, its cores as a
cpuset, a memory limit and a disk: the overlay's upper layer lives on a sparse ext4 image of
the request's size, loop-mounted, so that writing past it fails with ENOSPC.
"""

from __future__ import annotations

import ipaddress
import json
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
from deployment.record import Failure, Listener, LogLine, Recorder, named_code
from deployment.runner import Connection, run_playbook

HOSTS = "nocode_lxc_hosts"
PLAYBOOKS = {"provision": "provision_lxc.yml", "deprovision": "deprovision_lxc.yml"}
# A container's name is its host name: letters, digits and inner hyphens.
_NAME = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")


def _default_known_hosts() -> Path:
    return Path.home() / ".config" / "nocode" / "known_hosts"


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
    known_hosts: Path = field(default_factory=_default_known_hosts)
    key_file: Path | None = None


class LxcProvider:
    """The `Provider` of LXC containers: every call is one playbook run (provision_lxc.yml,
    lxc.yml for start, stop and stats, deprovision_lxc.yml) against the LXC host."""

    kind: MachineKind = "lxc"

    def __init__(self, settings: LxcSettings) -> None:
        self.settings = settings

    def provision(self, request: MachineRequest, listener: Listener | None = None) -> Machine:
        address = self._checked(request)
        result = self._run(
            "provision",
            request.name,
            listener,
            nocode_lxc_vm_id=request.vm_id,
            nocode_lxc_address=str(address),
            nocode_lxc_cores=request.resources.cores,
            nocode_lxc_memory=request.resources.memory,
            nocode_lxc_disk=request.resources.disk,
            nocode_lxc_ssh_public_key=request.ssh_public_key.strip(),
        )
        return Machine(
            name=request.name,
            kind="lxc",
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
        return MachineStats(
            state=result["state"],
            cpu_seconds=_number(result, "cpu_seconds"),
            memory_used=_whole(result, "memory_used"),
            memory_total=_whole(result, "memory_total"),
            disk_used=_number(result, "disk_used"),
            disk_total=_number(result, "disk_total"),
            details={"cpuset": result["cpuset"]} if "cpuset" in result else {},
        )

    def _checked(self, request: MachineRequest) -> ipaddress.IPv4Interface:
        """The request's address, refused before anything runs if it cannot be served here."""
        if request.kind != "lxc":
            raise ProvisionError(INVALID_CONFIGURATION, f"{request.name}: not an LXC request")
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
        """Run the role's `action` for container `name`; its result, or ProvisionError."""
        _check_name(name)
        recorder = Recorder(listener)
        with tempfile.TemporaryDirectory(prefix="nocode-lxc-") as private:
            result_file = Path(private, "result.json")
            code = run_playbook(
                PLAYBOOKS.get(action, "lxc.yml"),
                self._inventory(),
                {
                    "nocode_lxc_action": action,
                    "nocode_lxc_name": name,
                    "nocode_lxc_path": str(self.settings.lxc_path),
                    "nocode_lxc_bridge": self.settings.bridge,
                    "nocode_lxc_gateway": str(self.settings.gateway),
                    "nocode_lxc_base": self.settings.base,
                    "nocode_lxc_result_file": str(result_file),
                    **variables,
                },
                Connection(known_hosts=self.settings.known_hosts, key_file=self.settings.key_file),
                recorder,
            )
            if code != 0 or not result_file.exists():
                raise _failure(recorder, f"{action} {name}")
            found: dict[str, Any] = json.loads(result_file.read_text(encoding="utf-8"))
            return found

    def _inventory(self) -> dict[str, object]:
        """The LXC host: this machine, or the SSH host. python3-lxc (which the role's
        lxc_container module needs) is Debian's, for Debian's /usr/bin/python3."""
        host: dict[str, object] = {"ansible_python_interpreter": "/usr/bin/python3"}
        target = self.settings.host
        if target is None:
            host["ansible_connection"] = "local"
            return {HOSTS: {"hosts": {"localhost": host}}}
        host.update(ansible_host=target.address, ansible_port=target.port, ansible_user=target.user)
        if target.user != "root":
            host["ansible_become"] = True
        if self.settings.key_file is not None:
            host["ansible_ssh_private_key_file"] = str(self.settings.key_file)
        return {HOSTS: {"hosts": {target.address: host}}}


def _failure(recorder: Recorder, what: str) -> ProvisionError:
    """The error of a failed run: the code its first failure names, the message of its
    last (a provision's rescue names the task that failed, after removing what it made)."""
    failure = recorder.failure
    if failure is None:
        return ProvisionError(NOT_DEPLOYABLE, f"{what}: the playbook failed")
    failed = [line for line in recorder.logs if line.status in ("failed", "unreachable")]
    last: LogLine | Failure = failed[-1] if failed else failure
    step, message = last.step, last.message
    return ProvisionError(named_code(message) or failure.code, f"{what}: {step}: {message}")


def _number(result: dict[str, Any], key: str) -> float | None:
    """A measure of the result (Ansible writes numbers computed by templates as text)."""
    value = result.get(key)
    return None if value is None else float(value)


def _whole(result: dict[str, Any], key: str) -> int | None:
    value = _number(result, key)
    return None if value is None else round(value)


def _check_name(name: str) -> None:
    if not _NAME.match(name):
        raise ProvisionError(
            INVALID_CONFIGURATION,
            f"{name!r} is not a container name (letters, digits and inner hyphens, 63 at most)",
        )
