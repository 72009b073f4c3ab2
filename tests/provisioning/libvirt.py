"""What the libvirt VM test needs: the provider on its own network, and reading the host back.

The test's network (`nctvm`, 10.214.0.1/24) and machine names (`nct-...`) are its own, so that
a demo control plane's VMs (`nocode-vms`) and the tests never meet. The base image is cached in
IMAGES between runs; building it is serialized on the host by the role itself (flock).
"""

from __future__ import annotations

import ipaddress
import shutil
import subprocess
from pathlib import Path

import pytest

from deployment.providers.base import MachineRequest, Resources
from deployment.providers.libvirt import LibvirtProvider, LibvirtSettings

NETWORK = "nctvm"
GATEWAY = ipaddress.IPv4Interface("10.214.0.1/24")
IMAGES = Path("/var/cache/nocode-tests/libvirt")
URI = "qemu:///system"
# What the provider needs on this host, with the Debian package providing each.
REQUIRED_COMMANDS = {
    "virsh": "libvirt-clients",
    "libvirtd": "libvirt-daemon-system",
    "qemu-system-x86_64": "qemu-system-x86",
    "qemu-img": "qemu-utils",
    "dnsmasq": "dnsmasq-base",
    "debootstrap": "debootstrap",
}


def require_libvirt() -> None:
    """Fail, never skip, on a machine without libvirt and QEMU: a skipped VM test would pass
    in CI while proving nothing."""
    missing = sorted(
        {package for command, package in REQUIRED_COMMANDS.items() if not shutil.which(command)}
    )
    binding = subprocess.run(["/usr/bin/python3", "-c", "import libvirt, lxml"], check=False)
    if binding.returncode != 0:
        missing += ["python3-libvirt", "python3-lxml"]
    if missing:
        pytest.fail(
            f"the VM test needs the Debian packages {' '.join(missing)}"
            " (tests/deploy/install_packages.sh installs them)",
            pytrace=False,
        )


def vm_settings(known_hosts: Path, ssh_timeout: int = 300) -> LibvirtSettings:
    """The provider's settings for the tests: their own network and image cache."""
    return LibvirtSettings(
        uri=URI,
        network=NETWORK,
        gateway=GATEWAY,
        image_dir=IMAGES,
        known_hosts=known_hosts,
        ssh_timeout=ssh_timeout,
    )


class TestVms:
    """Makes VMs for one test through the provider, and destroys every one of them after it,
    whether it passed or not."""

    __test__ = False  # a helper, not a test class, despite its name

    def __init__(self, work: Path, key: Path) -> None:
        self.known_hosts = work / "known_hosts"
        self.key = key  # its public half (`<key>.pub`) is let in
        self.provider = LibvirtProvider(vm_settings(self.known_hosts))
        self.names: list[str] = []

    def request(
        self, name: str, address: str, resources: Resources, vm_id: int = 100
    ) -> MachineRequest:
        """A request for `name` (destroyed after the test) with this test's key."""
        self.names.append(name)
        return MachineRequest(
            name=name,
            kind="vm",
            resources=resources,
            ssh_public_key=self.key.with_suffix(".pub").read_text(),
            vm_id=vm_id,
            address=ipaddress.IPv4Interface(f"{address}/{GATEWAY.network.prefixlen}"),
        )

    def ssh(self, address: str, command: str) -> str:
        """Run `command` as root on the machine at `address`; its output."""
        result = subprocess.run(
            [
                "ssh", "-i", str(self.key), "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
                "-o", f"UserKnownHostsFile={self.known_hosts}",
                "-o", "StrictHostKeyChecking=accept-new", "-o", "ConnectTimeout=10",
                f"root@{address}", command,
            ],
            capture_output=True, text=True, check=True, timeout=60,
        )  # fmt: skip
        return result.stdout

    def close(self) -> None:
        """Destroy what is left of every machine requested (a provider run costs seconds)."""
        leased = leases() if NETWORK in virsh("net-list", "--all", "--name").split() else ""
        for name in self.names:
            if name in domains() or machine_files(name) or f"name='{name}'" in leased:
                self.provider.destroy(name)


def virsh(*args: str) -> str:
    result = subprocess.run(
        ["virsh", "--connect", URI, *args], capture_output=True, text=True, check=True
    )
    return result.stdout


def domains() -> list[str]:
    """Every domain's name, running or not."""
    return virsh("list", "--all", "--name").split()


def leases() -> str:
    """The test network's fixed leases, as libvirt keeps them (its XML)."""
    return virsh("net-dumpxml", NETWORK)


def machine_files(name: str) -> list[Path]:
    """What the role keeps of machine `name` on the host: its disks and console log."""
    kept = (f"{name}.qcow2", f"{name}-config.img", f"{name}.console.log")
    return [path for path in (IMAGES / "machines" / file for file in kept) if path.exists()]
