"""Proxmox VE guests (ansible/roles/nocode_proxmox): a VM cloned from a cloud-init template
or an LXC container from a container template, made through the Proxmox API.

The playbooks are the ones an operator runs by hand (docs/deploy-proxmox.md), with the same
variables: a MachineRequest becomes nocode_proxmox_* variables, and the guest the role
publishes with set_stats (`nocode_proxmox_result`) becomes the Machine. Proxmox allocates the
guest's id (and its address, by DHCP, unless the request gives one). One provider serves one
kind of guest, `ProxmoxSettings.kind`: the API calls differ between VMs and containers.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deployment.errors import INVALID_CONFIGURATION, NOT_DEPLOYABLE
from deployment.providers.base import (
    Machine,
    MachineKind,
    MachineRequest,
    MachineStats,
    ProvisionError,
)
from deployment.providers.playbooks import PlaybookLifecycle, default_known_hosts
from deployment.record import Listener, Recorder, named_code
from deployment.runner import Connection, run_playbook

PLAYBOOKS = {
    "provision": "provision_proxmox.yml",
    "deprovision": "deprovision_proxmox.yml",
}  # status, start and stop: proxmox_guest.yml
STEPS = {
    "provision": "Provisioning",
    "deprovision": "Deprovisioning",
    "status": "Reading",
    "start": "Starting",
    "stop": "Stopping",
}
# The API cannot be reached: a setting to correct (seed 000's DEPLOY_003), as a bad value is.
_UNREACHABLE = re.compile(
    r"Connection refused|Max retries exceeded|timed out|Name or service not known"
    r"|No route to host|CERTIFICATE_VERIFY_FAILED|401 Unauthorized|authentication failure"
)
_MEGABYTE, _GIGABYTE = 1024**2, 1024**3


@dataclass(frozen=True)
class ProxmoxSettings:
    """The Proxmox API (an API token of a user with rights on the node, storage and bridge)
    and where guests are made: the role's nocode_proxmox_* variables of the same names."""

    api_host: str
    api_user: str  # e.g. nocode@pve
    api_token_id: str
    api_token_secret: str = field(repr=False)
    node: str
    kind: MachineKind = "vm"
    api_port: int = 8006
    validate_certs: bool = True
    api_timeout: int = 300  # seconds for one clone, create, start or stop
    storage: str = "local-lvm"
    bridge: str = "vmbr0"
    gateway: str = ""  # with a request's static address
    vm_template: str = ""  # a VM: the cloud-init template cloned
    vm_user: str = "nocode"  # and its SSH user
    lxc_ostemplate: str = ""  # a container: STORAGE:vztmpl/FILE; empty: the role's default
    ip_timeout: int = 300
    ssh_timeout: int = 300
    known_hosts: Path = field(default_factory=default_known_hosts)

    def variables(self) -> dict[str, object]:
        given = {
            "api_host": self.api_host,
            "api_port": self.api_port,
            "api_user": self.api_user,
            "api_token_id": self.api_token_id,
            "api_token_secret": self.api_token_secret,
            "validate_certs": self.validate_certs,
            "api_timeout": self.api_timeout,
            "node": self.node,
            "deployment_type": self.kind,
            "storage": self.storage,
            "bridge": self.bridge,
            "gateway": self.gateway,
            "vm_template": self.vm_template,
            "vm_user": self.vm_user,
            "lxc_ostemplate": self.lxc_ostemplate,
            "ip_timeout": self.ip_timeout,
            "ssh_timeout": self.ssh_timeout,
        }
        return {f"nocode_proxmox_{key}": value for key, value in given.items() if value != ""}


@dataclass
class _ProxmoxRecorder(Recorder):
    """A Recorder for the Proxmox role, whose task names have no step: the whole run is one
    step (`Provisioning | Clone the template into a new VM`); a loop's failure names its
    items' reasons; and the role's result."""

    step: str = "Provisioning"
    result: dict[str, Any] = field(default_factory=dict)

    def handle(self, event: dict[str, Any]) -> bool:
        data = event.get("event_data") or {}
        task = data.get("task")
        if isinstance(task, str) and " | " not in task:
            data["task"] = f"{self.step} | {task}"
        result = data.get("res")
        if event.get("event") == "runner_on_failed" and isinstance(result, dict):
            # A loop's failure says "One or more items failed": name the items' reasons.
            reasons = [item.get("msg") for item in result.get("results", []) if item.get("failed")]
            if reasons:
                result["msg"] = "; ".join(str(reason) for reason in reasons)
        if event.get("event") == "playbook_on_stats":
            self.result = (data.get("artifact_data") or {}).get("nocode_proxmox_result") or {}
        return super().handle(event)


class ProxmoxProvider(PlaybookLifecycle):
    """The `Provider` of Proxmox guests of one kind: every call is one run of the role."""

    def __init__(self, settings: ProxmoxSettings) -> None:
        self.settings = settings
        self.kind: MachineKind = settings.kind

    def provision(self, request: MachineRequest, listener: Listener | None = None) -> Machine:
        if request.kind != self.kind:
            raise ProvisionError(
                INVALID_CONFIGURATION, f"{request.name}: this provider makes {self.kind} guests"
            )
        with tempfile.TemporaryDirectory(prefix="nocode-proxmox-") as private:
            key = Path(private, "key.pub")
            key.write_text(request.ssh_public_key.strip() + "\n", encoding="utf-8")
            result = self._run(
                "provision",
                request.name,
                listener,
                nocode_proxmox_cores=request.resources.cores,
                nocode_proxmox_memory=request.resources.memory,
                nocode_proxmox_disk=request.resources.disk,
                nocode_proxmox_ip=str(request.address) if request.address else "",
                nocode_proxmox_ssh_public_key_file=str(key),
            )
        return Machine(
            name=request.name,
            kind=self.kind,
            vm_id=int(result["vm_id"]),
            ip_address=str(result["ip_address"]),
            ssh_user=self.settings.vm_user if self.kind == "vm" else "root",
        )

    def stats(self, name: str) -> MachineStats:
        result = self._run("status", name)
        measures: dict[str, Any] = result.get("stats") or {}

        def share(key: str, unit: int) -> float | None:
            value = measures.get(key)
            return None if value is None else float(value) / unit

        memory_used, memory_total = share("mem", _MEGABYTE), share("maxmem", _MEGABYTE)
        return MachineStats(
            state=result["status"],
            # Proxmox reports the CPU used now (a share of the cores), not a total.
            cpu_seconds=None,
            memory_used=None if memory_used is None else round(memory_used),
            memory_total=None if memory_total is None else round(memory_total),
            # A VM's disk use is known to Proxmox only through its guest agent: 0 without.
            disk_used=share("disk", _GIGABYTE),
            disk_total=share("maxdisk", _GIGABYTE),
            details={key: measures[key] for key in ("cpu", "cpus", "uptime") if key in measures},
        )

    def _run(
        self, action: str, name: str, listener: Listener | None = None, **variables: object
    ) -> dict[str, Any]:
        """Run the role's `action` for the guest `name`; its result, or ProvisionError."""
        recorder = _ProxmoxRecorder(listener=listener, step=STEPS[action])
        code = run_playbook(
            PLAYBOOKS.get(action, "proxmox_guest.yml"),
            {"all": {"hosts": {"localhost": {"ansible_connection": "local"}}}},
            {
                **self.settings.variables(),
                "nocode_proxmox_name": name,
                "nocode_proxmox_action": "" if action in PLAYBOOKS else action,
                **variables,
            },
            Connection(known_hosts=self.settings.known_hosts),
            recorder,
        )
        if code != 0 or not recorder.result:
            raise _failure(recorder, f"{STEPS[action].lower()} {name}")
        return recorder.result


def _failure(recorder: Recorder, what: str) -> ProvisionError:
    """The error of a failed run. Proxmox tasks are no_log, so the first failure is hidden:
    the message is the last one's (the role's rescue names the task that failed)."""
    failed = [line for line in recorder.logs if line.status in ("failed", "unreachable")]
    if recorder.failure is None or not failed:
        message = recorder.failure.message if recorder.failure else "the playbook failed"
        return ProvisionError(INVALID_CONFIGURATION, f"{what}: {message}")
    last = failed[-1]
    checking = last.task.partition(" | ")[2].startswith(("Check ", "Validating arguments"))
    if checking or _UNREACHABLE.search(last.message):
        code = INVALID_CONFIGURATION
    else:
        code = named_code(last.message) or NOT_DEPLOYABLE
    return ProvisionError(code, f"{what}: {last.message}")
