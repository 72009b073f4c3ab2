"""The interface every provider implements, and the values that cross it."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Literal, Protocol

from deployment.errors import DeployError
from deployment.record import Listener

MachineKind = Literal["lxc", "vm"]
MachineState = Literal["running", "stopped", "absent"]


@dataclass(frozen=True)
class Resources:
    """What a machine gets: cores, memory in MB, disk in GB (seed 002's `resources`)."""

    cores: int
    memory: int
    disk: int


@dataclass(frozen=True)
class MachineRequest:
    """One machine to make. `name` is the machine's name on its host and its host name
    (letters, digits and hyphens; unique per host). `vm_id` and `address` are allocated by
    the caller (the control plane keeps them unique); a provider that allocates its own
    (Proxmox) ignores them and returns what it got."""

    name: str
    kind: MachineKind
    resources: Resources
    ssh_public_key: str  # let in for root (a container) or the machine's SSH user (a VM)
    vm_id: int
    address: ipaddress.IPv4Interface | None = None  # e.g. 10.211.0.12/24; None: the provider's


@dataclass(frozen=True)
class Machine:
    """A machine that runs and answers SSH with the request's key."""

    name: str
    kind: MachineKind
    vm_id: int
    ip_address: str
    ssh_user: str = "root"
    ssh_port: int = 22


@dataclass(frozen=True)
class MachineStats:
    """Read inside the machine or from its host's cgroups; None where a provider cannot tell."""

    state: MachineState
    cpu_seconds: float | None = None  # CPU time used since the machine started
    memory_used: int | None = None  # MB
    memory_total: int | None = None  # MB: the limit
    disk_used: float | None = None  # GB
    disk_total: float | None = None  # GB: the limit
    details: dict[str, object] = field(default_factory=dict)


class ProvisionError(DeployError):
    """A machine that could not be made, started, stopped or destroyed, with a seed 000
    code: DEPLOY_003 bad settings or an unreachable host, DEPLOY_004 a host without the room
    asked for, DEPLOY_001 anything else."""


class Provider(Protocol):
    """Every method runs to the end or raises ProvisionError; none leaves half a machine:
    a provision that fails removes what it made. `listener` receives the run's steps and log
    lines (deployment.record), named `Provisioning | ...` and `Deprovisioning | ...`."""

    kind: MachineKind

    def provision(self, request: MachineRequest, listener: Listener | None = None) -> Machine:
        """Make, start and wait for SSH; a machine of that name that exists is started and
        returned as it is (a retried job does not make a second one)."""
        ...

    def status(self, name: str) -> MachineState: ...

    def start(self, name: str) -> None: ...

    def stop(self, name: str) -> None: ...

    def destroy(self, name: str, listener: Listener | None = None) -> None:
        """Stop and remove the machine, its disk, address and mounts; nothing to do when
        it is absent."""
        ...

    def stats(self, name: str) -> MachineStats: ...
