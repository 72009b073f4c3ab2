"""What the LXC and libvirt providers share: a host that runs their role (this machine or a
Debian host over SSH), one playbook run per call with the role's `action`, and the result the
run writes in a JSON file on the controller."""

from __future__ import annotations

import ipaddress
import json
import re
import tempfile
from abc import ABC, abstractmethod
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

# A machine's name is its host name: letters, digits and inner hyphens.
_NAME = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")
# Actions with a playbook of their own; the others share <role>.yml.
_OWN_PLAYBOOK = ("provision", "deprovision")


def default_known_hosts() -> Path:
    return Path.home() / ".config" / "nocode" / "known_hosts"


class PlaybookLifecycle(ABC):
    """A machine's state, start, stop and destroy, each one run of its provider's role: what
    every provider here does the same way (the roles name these actions alike)."""

    @abstractmethod
    def stats(self, name: str) -> MachineStats: ...

    @abstractmethod
    def _run(
        self, action: str, name: str, listener: Listener | None = None, **variables: object
    ) -> dict[str, Any]:
        """Run the role's `action` for machine `name`: its result, or ProvisionError."""

    def status(self, name: str) -> MachineState:
        return self.stats(name).state

    def start(self, name: str) -> None:
        self._run("start", name)

    def stop(self, name: str) -> None:
        self._run("stop", name)

    def destroy(self, name: str, listener: Listener | None = None) -> None:
        self._run("deprovision", name, listener)


class PlaybookProvider(PlaybookLifecycle):
    """A provider whose role (ansible/roles/nocode_<role>) does everything: provision_<role>.yml,
    deprovision_<role>.yml, and <role>.yml for start, stop and stats, each told its action by
    `nocode_<role>_action`. Subclasses give the role's settings and read its stats."""

    kind: MachineKind
    role: str  # lxc, libvirt

    def __init__(
        self,
        gateway: ipaddress.IPv4Interface,
        host: Target | None,
        known_hosts: Path,
        key_file: Path | None,
    ) -> None:
        self._gateway = gateway
        self._host = host
        self._connection = Connection(known_hosts=known_hosts, key_file=key_file)

    @abstractmethod
    def _variables(self) -> dict[str, object]:
        """The role's settings, `nocode_<role>_*`, given to every run."""

    def provision(self, request: MachineRequest, listener: Listener | None = None) -> Machine:
        address = self._checked(request)
        resources = request.resources
        result = self._run(
            "provision",
            request.name,
            listener,
            vm_id=request.vm_id,
            address=str(address),
            cores=resources.cores,
            memory=resources.memory,
            disk=resources.disk,
            ssh_public_key=request.ssh_public_key.strip(),
        )
        return Machine(
            name=request.name,
            kind=self.kind,
            vm_id=int(result["vm_id"]),
            ip_address=str(result["ip_address"]),
        )

    def _checked(self, request: MachineRequest) -> ipaddress.IPv4Interface:
        """The request's address, refused before anything runs if it cannot be served here."""
        if request.kind != self.kind:
            raise ProvisionError(
                INVALID_CONFIGURATION, f"{request.name}: not a request for a {self.kind}"
            )
        check_name(request.name)
        address = request.address
        network = self._gateway.network
        reserved = (self._gateway.ip, network.network_address, network.broadcast_address)
        if address is None or address.ip not in network or address.ip in reserved:
            raise ProvisionError(
                INVALID_CONFIGURATION,
                f"{request.name}: address {address} is not a free host address of {network}",
            )
        return ipaddress.IPv4Interface(f"{address.ip}/{network.prefixlen}")

    def _run(
        self, action: str, name: str, listener: Listener | None = None, **variables: object
    ) -> dict[str, Any]:
        """Run the role's `action` for machine `name`: the result it wrote ({} for none), or
        ProvisionError."""
        check_name(name)
        prefix = f"nocode_{self.role}"
        own = {
            "provision": f"provision_{self.role}.yml",
            "deprovision": f"deprovision_{self.role}.yml",
        }
        playbook = own.get(action, f"{self.role}.yml")
        recorder = Recorder(listener)
        with tempfile.TemporaryDirectory(prefix=f"nocode-{self.role}-") as private:
            result_file = Path(private, "result.json")
            extravars = {
                **self._variables(),
                f"{prefix}_action": action,
                f"{prefix}_name": name,
                f"{prefix}_result_file": str(result_file),
                **{f"{prefix}_{key}": value for key, value in variables.items()},
            }
            code = run_playbook(playbook, self._inventory(), extravars, self._connection, recorder)
            if code != 0 or recorder.failure is not None:
                raise _failure(recorder, f"{action} {name}", code)
            if not result_file.exists():
                return {}
            result: dict[str, Any] = json.loads(result_file.read_text(encoding="utf-8"))
            return result

    def _inventory(self) -> dict[str, object]:
        """The host: this machine, or the SSH host (becoming root unless it is root). The
        roles' modules import Debian's bindings (python3-lxc, python3-libvirt), for Debian's
        /usr/bin/python3."""
        host: dict[str, object] = {"ansible_python_interpreter": "/usr/bin/python3"}
        target = self._host
        if target is None:
            host["ansible_connection"] = "local"
            return {f"nocode_{self.role}_hosts": {"hosts": {"localhost": host}}}
        host.update(ansible_host=target.address, ansible_port=target.port, ansible_user=target.user)
        if target.user != "root":
            host["ansible_become"] = True
        if self._connection.key_file is not None:
            host["ansible_ssh_private_key_file"] = str(self._connection.key_file)
        return {f"nocode_{self.role}_hosts": {"hosts": {target.address: host}}}


def _failure(recorder: Recorder, what: str, code: int) -> ProvisionError:
    """The error of a failed run: the code its first failure names, the message of its
    last (a provision's rescue names the task that failed, after removing what it made)."""
    failure = recorder.failure
    if failure is None:
        return ProvisionError(NOT_DEPLOYABLE, f"{what}: ansible-playbook exited with {code}")
    failed = [line for line in recorder.logs if line.status in ("failed", "unreachable")]
    last: LogLine | Failure = failed[-1] if failed else failure
    step, message = last.step, last.message
    return ProvisionError(named_code(message) or failure.code, f"{what}: {step}: {message}")


def check_name(name: str) -> None:
    if not _NAME.match(name):
        raise ProvisionError(
            INVALID_CONFIGURATION,
            f"{name!r} is not a machine name (letters, digits and inner hyphens, 63 at most)",
        )
