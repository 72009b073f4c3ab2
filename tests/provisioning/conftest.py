"""Fixtures of the provisioning tests: the LXC provider on the tests' own bridge (see lxc.py),
VMs on the tests' own libvirt network (see libvirt.py), and an SSH key pair for the machines
they make."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from deployment.providers.lxc import LxcProvider
from tests.provisioning.libvirt import TestVms, require_libvirt
from tests.provisioning.lxc import prepare_lxc_provider


@pytest.fixture(scope="session")
def lxc_provider(tmp_path_factory: pytest.TempPathFactory) -> LxcProvider:
    return prepare_lxc_provider(tmp_path_factory.mktemp("lxc"))


@pytest.fixture(scope="session")
def machine_key(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private key whose public half (`<key>.pub`) the tests' machines let in."""
    key = tmp_path_factory.mktemp("machine-key") / "id_ed25519"
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "nocode-tests", "-f", str(key)],
        check=True,
    )
    return key


# --- libvirt/QEMU VMs (tests/provisioning/libvirt.py) ---


@pytest.fixture
def test_vms(tmp_path: Path, machine_key: Path) -> Iterator[TestVms]:
    """VMs on the test network, all destroyed after the test, whether it passed or not."""
    require_libvirt()
    vms = TestVms(tmp_path, machine_key)
    try:
        yield vms
    finally:
        vms.close()
