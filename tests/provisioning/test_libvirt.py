"""The libvirt/QEMU provider against this machine's libvirt: real VMs (software emulation here,
KVM where the host runs it), reached over SSH, stopped, started, measured and destroyed."""

from __future__ import annotations

import time

import pytest

from deployment.providers.base import Machine, ProvisionError, Resources
from deployment.providers.libvirt import LibvirtProvider
from tests.provisioning.libvirt import (
    TestVms,
    domains,
    leases,
    machine_files,
    vm_settings,
)

ADDRESS = "10.214.0.20"
RESOURCES = Resources(cores=2, memory=1024, disk=10)


def _timed(what: str, started: float) -> None:
    """Print how long `what` took (pytest -s shows it): the figures of docs/provisioning.md."""
    print(f"[vm test] {what}: {time.monotonic() - started:.1f} s", flush=True)


@pytest.mark.slow
def test_a_vm_gets_its_resources_address_and_key_and_is_destroyed(test_vms: TestVms) -> None:
    # Deploying the CRM onto it takes about 10 minutes under software emulation (586 s on
    # the shared 2-core machine): too long for CI; the deploy role is what LXC runs too.
    provider = test_vms.provider
    request = test_vms.request("nct-vm", ADDRESS, RESOURCES, vm_id=120)

    started = time.monotonic()
    machine = provider.provision(request)
    _timed("provision to SSH (the base image built first where missing)", started)
    assert machine == Machine(name="nct-vm", kind="vm", vm_id=120, ip_address=ADDRESS)

    inside = test_vms.ssh(
        ADDRESS, "hostname; nproc; grep MemTotal /proc/meminfo; df --block-size=1M --output=size /"
    ).split()
    hostname, cores, memory_kb, disk_mb = inside[0], int(inside[1]), int(inside[3]), int(inside[-1])
    assert (hostname, cores) == ("nct-vm", 2)
    assert 900 * 1024 < memory_kb <= 1024 * 1024  # the kernel keeps some for itself
    assert 9.5 * 1024 < disk_mb <= 10 * 1024  # the root file system grew to the disk at boot

    stats = provider.stats("nct-vm")
    assert stats.state == "running"
    assert stats.cpu_seconds is not None and stats.cpu_seconds > 0
    assert (stats.memory_total, stats.disk_total) == (1024, 10.0)
    assert stats.disk_used is not None and 0 < stats.disk_used < 10

    # A retried job gets the same machine back; nothing is made twice.
    assert provider.provision(request) == machine
    assert domains().count("nct-vm") == 1

    # Another machine cannot take the address: refused, and nothing of it is left.
    taken = test_vms.request("nct-vm-b", ADDRESS, RESOURCES, vm_id=121)
    with pytest.raises(ProvisionError) as refused:
        provider.provision(taken)
    assert refused.value.code == "DEPLOY_003"
    assert f"{ADDRESS} is leased to nct-vm" in str(refused.value)
    assert "nct-vm-b" not in domains() and machine_files("nct-vm-b") == []
    assert f"name='nct-vm' ip='{ADDRESS}'" in leases()

    started = time.monotonic()
    provider.stop("nct-vm")
    _timed("stop", started)
    assert provider.status("nct-vm") == "stopped"
    # Started again, and destroyed while it boots: waiting for its SSH again would cost a
    # minute of software emulation and prove what the provision proved.
    provider.start("nct-vm")
    assert provider.status("nct-vm") == "running"

    started = time.monotonic()
    provider.destroy("nct-vm")
    _timed("destroy", started)
    assert "nct-vm" not in domains()
    assert machine_files("nct-vm") == []
    assert ADDRESS not in leases()
    assert provider.status("nct-vm") == "absent"
    provider.destroy("nct-vm")  # absent: nothing to do


def test_a_provision_that_fails_removes_the_machine_it_made(test_vms: TestVms) -> None:
    # No guest answers SSH within a second: the provision fails after making everything.
    impatient = LibvirtProvider(vm_settings(test_vms.known_hosts, ssh_timeout=1))
    request = test_vms.request("nct-vm-fails", "10.214.0.21", Resources(1, 512, 10), vm_id=122)
    with pytest.raises(ProvisionError) as failed:
        impatient.provision(request)
    assert "Timeout when waiting for search string SSH-" in str(failed.value)
    assert "nct-vm-fails" not in domains()
    assert machine_files("nct-vm-fails") == []
    assert "10.214.0.21" not in leases()
