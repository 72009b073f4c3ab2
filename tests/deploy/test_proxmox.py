"""The Proxmox playbooks (ansible/provision_proxmox.yml, deprovision_proxmox.yml, proxmox_guest.yml)
and the provider that runs them (deployment/providers/proxmox.py).

No Proxmox server can be reached from here: the playbooks are checked by ansible-playbook
--syntax-check and ansible-lint's production profile, their validation is run for real with
--tags validate, and a valid run is shown to stop cleanly where the Proxmox API does not answer.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from deployment.errors import INVALID_CONFIGURATION
from deployment.providers.base import MachineKind, MachineRequest, ProvisionError, Resources
from deployment.providers.proxmox import ProxmoxProvider, ProxmoxSettings
from deployment.record import LogLine, Step
from tests.conftest import free_port

REPOSITORY = Path(__file__).resolve().parents[2]
ANSIBLE = REPOSITORY / "ansible"
BIN = Path(sys.executable).parent
PLAYBOOKS = ["provision_proxmox.yml", "deprovision_proxmox.yml", "proxmox_guest.yml"]
SECRET = "test-token-secret-4f1c9a"

# Seed 002's limits, written out again here so that the test does not read them from the role.
LIMITS = {
    "vm": {"cores": (1, 16), "memory": (512, 32768), "disk": (10, 500)},
    "lxc": {"cores": (1, 8), "memory": (256, 16384), "disk": (5, 200)},
}
UNITS = {"cores": "", "memory": " MB", "disk": " GB"}
KINDS = {"vm": "VM", "lxc": "LXC container"}


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env.update(
        ANSIBLE_STDOUT_CALLBACK="ansible.posix.json",
        ANSIBLE_LOCALHOST_WARNING="false",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="false",
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_LINT_SKIP_SCHEMA_UPDATE="1",
    )
    return env


@pytest.fixture(scope="module")
def public_key(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ssh") / "id_ed25519.pub"
    path.write_text("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHRlc3Qga2V5IG9ubHk test@nocode\n")
    return path


@dataclass(frozen=True)
class Run:
    """One ansible-playbook run, read from the ansible.posix.json callback's report."""

    returncode: int
    output: str
    report: dict[str, Any]

    def results(self) -> list[tuple[str, dict[str, Any]]]:
        """(task name, result) of every task that ran (skipped ones left out), in order;
        a loop gives the result of each item."""
        found: list[tuple[str, dict[str, Any]]] = []
        for play in self.report["plays"]:
            for task in play["tasks"]:
                name = task["task"]["name"].removeprefix("nocode_proxmox : ")
                for result in task["hosts"].values():
                    items = result.get("results", [result])
                    found.extend((name, item) for item in items if not item.get("skipped"))
        return found

    def task_names(self) -> list[str]:
        return list(dict.fromkeys(name for name, _ in self.results()))

    def failures(self) -> list[str]:
        """The message of each failure; a no_log task's failure gives its "censored" notice."""
        return [
            result.get("msg", result.get("censored", ""))
            for _, result in self.results()
            if result.get("failed")
        ]


@functools.cache
def _run(playbook: str, extra_vars: str, tags: str | None) -> Run:
    command = [str(BIN / "ansible-playbook"), playbook, "-e", extra_vars]
    if tags:
        command += ["--tags", tags]
    done = subprocess.run(
        command, cwd=ANSIBLE, env=_env(), capture_output=True, text=True, timeout=120
    )
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"no JSON report from {command}:\n{done.stdout}\n{done.stderr}")
    return Run(done.returncode, done.stdout + done.stderr, report)


def run(
    public_key: Path,
    overrides: dict[str, object],
    playbook: str = "provision_proxmox.yml",
    tags: str | None = "validate",
) -> Run:
    """Run a playbook with a complete, valid VM deployment, changed by `overrides`
    (variable names without their nocode_proxmox_ prefix)."""
    extra_vars: dict[str, object] = {
        "nocode_proxmox_deployment_type": "vm",
        "nocode_proxmox_name": "crm_app-1",
        "nocode_proxmox_api_host": "proxmox.invalid",
        "nocode_proxmox_api_user": "nocode@pve",
        "nocode_proxmox_api_token_id": "deploy",
        "nocode_proxmox_api_token_secret": SECRET,
        "nocode_proxmox_node": "pve",
        "nocode_proxmox_vm_template": "debian-12-cloudinit",
        "nocode_proxmox_ssh_public_key_file": str(public_key),
    }
    extra_vars.update({f"nocode_proxmox_{key}": value for key, value in overrides.items()})
    return _run(playbook, json.dumps(extra_vars, sort_keys=True), tags)


def resources(kind: str, side: str) -> dict[str, int]:
    """cores, memory and disk all at the lowest or highest allowed value, or one past it."""
    # (which bound, how far past it)
    bound, past = {"lowest": (0, 0), "highest": (1, 0), "below": (0, -1), "above": (1, 1)}[side]
    return {name: bounds[bound] + past for name, bounds in LIMITS[kind].items()}


def test_playbooks_pass_syntax_check() -> None:
    done = subprocess.run(
        [str(BIN / "ansible-playbook"), "--syntax-check", *PLAYBOOKS],
        cwd=ANSIBLE,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_playbook_and_role_passes_ansible_lint_production() -> None:
    """All of ansible/: these playbooks and the deployment's (deploy.yml, rollback.yml)."""
    done = subprocess.run(
        [str(BIN / "ansible-lint"), "--offline", "--profile", "production", "ansible"],
        cwd=REPOSITORY,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("kind", ["vm", "lxc"])
@pytest.mark.parametrize("side", ["lowest", "highest"])
def test_resources_at_their_bounds_pass(public_key: Path, kind: str, side: str) -> None:
    name = "abc" if side == "lowest" else "n" * 24 + "_-_" + "9" * 23  # 3 and 50 characters
    done = run(public_key, {"deployment_type": kind, "name": name, **resources(kind, side)})
    assert done.returncode == 0, done.output
    assert done.failures() == []
    # --tags validate ran the checks and nothing else.
    assert all(task.startswith(("Validating arguments", "Check ")) for task in done.task_names()), (
        done.task_names()
    )


OUT_OF_RANGE = [
    (kind, resource, side)
    for kind in LIMITS
    for resource in LIMITS[kind]
    for side in ("below", "above")
]


@pytest.mark.parametrize(("kind", "resource", "side"), OUT_OF_RANGE)
def test_resource_out_of_range_fails_naming_it(
    public_key: Path, kind: str, resource: str, side: str
) -> None:
    # One run per kind and side: all three resources are out of range, each reported.
    values = resources(kind, side)
    done = run(public_key, {"deployment_type": kind, **values})
    low, high = LIMITS[kind][resource]
    expected = (
        f"nocode_proxmox_{resource}={values[resource]} is outside {low}-{high}"
        f"{UNITS[resource]} for a {KINDS[kind]}"
    )
    assert done.returncode != 0
    assert expected in done.failures(), done.failures()


@pytest.mark.parametrize("name", ["ab", "n" * 51, "crm.app"])
def test_bad_name_fails_naming_it(public_key: Path, name: str) -> None:
    done = run(public_key, {"name": name})
    assert done.returncode != 0
    assert [
        f"nocode_proxmox_name='{name}' must be 3-50 characters: "
        "letters, digits, hyphens and underscores"
    ] == done.failures()


def test_name_without_a_host_name_fails_naming_it(public_key: Path) -> None:
    # Valid for seed 002, but Proxmox needs a host name: nothing is left of "___".
    done = run(public_key, {"name": "___"})
    assert done.returncode != 0
    assert done.failures()[0].startswith("nocode_proxmox_guest_name='' is not a host name")


def test_unknown_deployment_type_fails_naming_it(public_key: Path) -> None:
    done = run(public_key, {"deployment_type": "docker"})
    assert done.returncode != 0
    [failure] = done.failures()
    assert "nocode_proxmox_deployment_type must be one of: vm, lxc, got: docker" in failure
    assert SECRET not in done.output


def test_missing_token_secret_fails_without_showing_it(public_key: Path) -> None:
    done = run(public_key, {"api_token_secret": ""})
    assert done.returncode != 0
    assert done.failures()[0].startswith("nocode_proxmox_api_token_secret is empty")


@pytest.mark.parametrize(
    ("playbook", "kind", "include", "first_call"),
    [
        ("provision_proxmox.yml", "vm", "Create and start the guest", "Look for a VM of that name"),
        ("provision_proxmox.yml", "lxc", "Create and start the guest", "Create the container"),
        (
            "deprovision_proxmox.yml",
            "vm",
            "Stop and remove the guest",
            "Look for the guest of that name",
        ),
    ],
)
def test_valid_run_stops_at_an_unreachable_api(
    public_key: Path, playbook: str, kind: str, include: str, first_call: str
) -> None:
    port = free_port()  # nothing listens there
    overrides = {"deployment_type": kind, "api_host": "127.0.0.1", "api_port": port}
    done = run(public_key, overrides, playbook=playbook, tags=None)
    assert done.returncode != 0
    hidden, failure = done.failures()
    assert "hidden due to the fact that 'no_log: true'" in hidden
    assert failure.startswith(f"'{first_call}' failed: ")
    assert f"host='127.0.0.1', port={port}" in failure
    assert "Connection refused" in failure
    # Validation passed; the first Proxmox call failed and nothing after it ran.
    tasks = done.task_names()
    checks = [task for task in tasks if task.startswith(("Validating arguments", "Check "))]
    assert tasks[len(checks) :] == [include, first_call, "Fail naming the step that failed"]
    assert not any(result.get("changed") for _, result in done.results())
    assert done.report["global_custom_stats"] == {}
    assert SECRET not in done.output


def closed_provider(tmp_path: Path, kind: MachineKind) -> ProxmoxProvider:
    """A provider whose Proxmox API is a port nothing listens on."""
    return ProxmoxProvider(
        ProxmoxSettings(
            api_host="127.0.0.1",
            api_port=free_port(),
            api_user="nocode@pve",
            api_token_id="deploy",
            api_token_secret=SECRET,
            node="pve",
            kind=kind,
            validate_certs=False,
            vm_template="debian-12-cloudinit",
            known_hosts=tmp_path / "known_hosts",
        )
    )


def request(kind: MachineKind, **resources: int) -> MachineRequest:
    return MachineRequest(
        name="nct-proxmox",
        kind=kind,
        resources=Resources(**{"cores": 2, "memory": 1024, "disk": 20, **resources}),
        ssh_public_key="ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHRlc3Qga2V5IG9ubHk test@nocode",
        vm_id=100,
    )


@pytest.mark.parametrize(
    ("kind", "first_call"), [("vm", "Look for a VM of that name"), ("lxc", "Create the container")]
)
def test_provider_provision_stops_at_an_unreachable_api(
    tmp_path: Path, kind: MachineKind, first_call: str
) -> None:
    provider = closed_provider(tmp_path, kind)
    events: list[tuple[str, object]] = []
    with pytest.raises(ProvisionError) as failed:
        provider.provision(request(kind), lambda kind, payload: events.append((kind, payload)))
    assert failed.value.code == INVALID_CONFIGURATION
    message = str(failed.value)
    assert message.startswith(f"provisioning nct-proxmox: '{first_call}' failed: ")
    assert f"port={provider.settings.api_port}" in message and "Connection refused" in message
    # The run reads as one step, its tasks under it, the first Proxmox call the one that failed.
    steps = {payload.name for kind, payload in events if isinstance(payload, Step)}
    assert steps == {"Provisioning"}
    tasks = [payload.task for kind, payload in events if isinstance(payload, LogLine)]
    assert f"Provisioning | {first_call}" in tasks
    assert SECRET not in repr(provider.settings) and SECRET not in str(events)


@pytest.mark.parametrize("action", ["status", "start", "stop", "destroy"])
def test_provider_actions_stop_at_an_unreachable_api(tmp_path: Path, action: str) -> None:
    provider = closed_provider(tmp_path, "lxc")
    with pytest.raises(ProvisionError) as failed:
        getattr(provider, action)("nct-proxmox")
    assert failed.value.code == INVALID_CONFIGURATION
    assert "'Look for the guest of that name' failed: " in str(failed.value)
    assert "Connection refused" in str(failed.value)


def test_provider_refuses_resources_out_of_bounds_before_calling_proxmox(tmp_path: Path) -> None:
    provider = closed_provider(tmp_path, "vm")
    with pytest.raises(ProvisionError) as failed:
        provider.provision(request("vm", cores=17))
    assert failed.value.code == INVALID_CONFIGURATION
    assert "nocode_proxmox_cores=17 is outside 1-16 for a VM" in str(failed.value)
    assert "Connection refused" not in str(failed.value)
    with pytest.raises(ProvisionError) as refused:
        provider.provision(request("lxc"))
    assert refused.value.code == INVALID_CONFIGURATION
    assert "this provider makes vm guests" in str(refused.value)
