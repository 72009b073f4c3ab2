"""LxcProvider against real containers on the tests' bridge: the limits read back inside, the
state changes, a provision retried, and destroys and failed provisions that leave nothing."""

from __future__ import annotations

import dataclasses
import ipaddress
import json
import os
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from deployment.errors import INSUFFICIENT_RESOURCES, INVALID_CONFIGURATION, NOT_DEPLOYABLE
from deployment.providers.base import Machine, MachineRequest, ProvisionError, Resources
from deployment.providers.lxc import LxcProvider
from deployment.runner import Connection, ssh_options
from tests.provisioning.lxc import BASE, BRIDGE, LXC_PATH, leftovers

# This folder's containers take 10.213.0.200-.239 of the bridge; others take other addresses.
GIB = 2**30


def _request(name: str, host_number: int, resources: Resources, key: Path) -> MachineRequest:
    return MachineRequest(
        name=name,
        kind="lxc",
        resources=resources,
        ssh_public_key=Path(f"{key}.pub").read_text(),
        vm_id=host_number,
        address=ipaddress.IPv4Interface(f"10.213.0.{host_number}/24"),
    )


def _ssh(machine: Machine, key: Path, known_hosts: Path, command: str) -> str:
    connection = Connection(known_hosts=known_hosts, key_file=key)
    options = [f"-o{option}" for option in ssh_options(connection)]
    result = subprocess.run(
        ["ssh", *options, "-i", str(key), f"{machine.ssh_user}@{machine.ip_address}", command],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture
def made(lxc_provider: LxcProvider) -> Iterator[list[str]]:
    """Names of the containers a test makes: destroyed after it, passed or failed (where
    anything of them is left: a destroy is a playbook run, seconds long)."""
    names: list[str] = []
    yield names
    for name in names:
        if leftovers(name):
            lxc_provider.destroy(name)


# Inside the container: cores, the memory limit (cgroup v2 or v1, and /proc/meminfo through
# lxcfs), the root's size in bytes, and a write past it.
READ_LIMITS = """
nproc
cat /sys/fs/cgroup/cpuset.cpus.effective 2>/dev/null || cat /sys/fs/cgroup/cpuset/cpuset.cpus
cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes
awk '/^MemTotal/ {printf "%.0f\\n", $2 * 1024}' /proc/meminfo
df -B1 --output=size / | tail -1
fallocate -l 6G /too-big 2>&1 || true
rm -f /too-big
"""


def test_a_container_gets_its_resources_keeps_them_and_leaves_nothing(
    lxc_provider: LxcProvider, machine_key: Path, made: list[str], tmp_path: Path
) -> None:
    name = "nct-limits"
    request = _request(name, 201, Resources(cores=2, memory=512, disk=5), machine_key)
    made.append(name)
    machine = lxc_provider.provision(request)
    assert machine == Machine(name=name, kind="lxc", vm_id=201, ip_address="10.213.0.201")

    known_hosts = tmp_path / "known_hosts"
    nproc, cpuset, memory_limit, memory_seen, disk, too_big = _ssh(
        machine, machine_key, known_hosts, READ_LIMITS
    ).splitlines()
    assert (nproc, cpuset) == ("2", "0-1")
    assert int(memory_limit) == int(memory_seen) == 512 * 2**20
    assert 4.5 * GIB < int(disk) <= 5 * GIB
    assert "No space left on device" in too_big

    stats = lxc_provider.stats(name)
    assert stats.state == "running"
    assert stats.memory_total == 512
    assert stats.memory_used is not None and 0 < stats.memory_used < 512
    assert stats.cpu_seconds is not None and stats.cpu_seconds > 0
    assert stats.disk_total is not None and 4.5 < stats.disk_total <= 5
    assert stats.disk_used is not None and 0 < stats.disk_used < 1
    assert stats.details == {"cpuset": "0-1"}

    _ssh(machine, machine_key, known_hosts, "echo kept > /root/kept")
    lxc_provider.stop(name)
    assert lxc_provider.status(name) == "stopped"
    lxc_provider.start(name)
    assert _ssh(machine, machine_key, known_hosts, "hostname").strip() == name

    # A retried job: the same machine, not a second one.
    assert lxc_provider.provision(request) == machine
    assert _ssh(machine, machine_key, known_hosts, "cat /root/kept").strip() == "kept"

    lxc_provider.destroy(name)
    assert leftovers(name) == []
    with pytest.raises(OSError):
        socket.create_connection((machine.ip_address, 22), timeout=2).close()
    neighbour = subprocess.run(
        ["ip", "neigh", "show", "to", machine.ip_address, "dev", BRIDGE],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "lladdr" not in neighbour
    lxc_provider.destroy(name)  # absent: nothing to do


def test_more_cores_than_the_host_has_are_refused_before_anything_is_made(
    lxc_provider: LxcProvider, machine_key: Path, made: list[str]
) -> None:
    name = "nct-too-many-cores"
    made.append(name)
    cores = (os.cpu_count() or 1) + 1
    with pytest.raises(ProvisionError) as refused:
        lxc_provider.provision(_request(name, 202, Resources(cores, 512, 5), machine_key))
    assert refused.value.code == INSUFFICIENT_RESOURCES
    assert "check the host has the room asked for" in str(refused.value)
    assert f"{cores} cores" in str(refused.value)
    assert leftovers(name) == []


def test_a_provision_failing_halfway_removes_what_it_made(
    lxc_provider: LxcProvider, machine_key: Path, made: list[str]
) -> None:
    """A disk of 0 GB: the container is cloned, then its disk cannot be made."""
    name = "nct-halfway"
    made.append(name)
    with pytest.raises(ProvisionError) as failed:
        lxc_provider.provision(_request(name, 203, Resources(1, 256, 0), machine_key))
    assert failed.value.code == NOT_DEPLOYABLE
    assert "make the container's disk" in str(failed.value)
    assert leftovers(name) == []


def test_a_container_a_crashed_run_left_half_made_is_made_again(
    lxc_provider: LxcProvider, machine_key: Path, made: list[str], tmp_path: Path
) -> None:
    """A run killed after its clone: the container is recorded as nocode's, not complete."""
    name = "nct-crashed"
    made.append(name)
    subprocess.run(
        ["lxc-copy", "-P", str(LXC_PATH), "-n", BASE, "-N", name, "-s", "-B", "overlayfs"],
        check=True,
    )
    record = {"vm_id": 206, "ip_address": "10.213.0.206", "complete": False}
    (LXC_PATH / name / "nocode-machine.json").write_text(json.dumps(record))
    machine = lxc_provider.provision(_request(name, 206, Resources(1, 256, 5), machine_key))
    command = "df -B1 --output=size / | tail -1"
    assert int(_ssh(machine, machine_key, tmp_path / "known_hosts", command)) > 4.5 * GIB


def test_a_container_nocode_did_not_make_is_left_alone(
    lxc_provider: LxcProvider, machine_key: Path
) -> None:
    name = "nct-foreign"
    subprocess.run(
        ["lxc-copy", "-P", str(LXC_PATH), "-n", BASE, "-N", name, "-s", "-B", "overlayfs"],
        check=True,
    )
    try:
        with pytest.raises(ProvisionError) as refused:
            lxc_provider.provision(_request(name, 204, Resources(1, 256, 5), machine_key))
        assert refused.value.code == INVALID_CONFIGURATION
        assert "was not made by nocode" in str(refused.value)
        with pytest.raises(ProvisionError):
            lxc_provider.destroy(name)
        assert leftovers(name) == [f"container {name}", f"file {LXC_PATH / name}"]
    finally:
        subprocess.run(["lxc-destroy", "-P", str(LXC_PATH), "-n", name, "-s"], check=True)


@pytest.mark.parametrize(
    ("address", "why"),
    [
        (None, "no address"),
        ("10.213.1.5/24", "another network"),
        ("10.213.0.1/24", "the gateway's"),
        ("10.213.0.255/24", "the broadcast address"),
    ],
)
def test_an_address_off_the_bridge_is_refused_before_anything_runs(
    lxc_provider: LxcProvider, machine_key: Path, address: str | None, why: str
) -> None:
    request = dataclasses.replace(
        _request("nct-off-bridge", 205, Resources(1, 256, 5), machine_key),
        address=ipaddress.IPv4Interface(address) if address else None,
    )
    with pytest.raises(ProvisionError) as refused:
        lxc_provider.provision(request)
    assert refused.value.code == INVALID_CONFIGURATION, why
    assert "is not a free host address of 10.213.0.0/24" in str(refused.value)
    assert leftovers("nct-off-bridge") == []
