"""Fixtures of the provisioning tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.provisioning.libvirt import TestVms, require_libvirt

# --- libvirt/QEMU VMs (tests/provisioning/libvirt.py) ---


@pytest.fixture
def test_vms(tmp_path: Path) -> Iterator[TestVms]:
    """VMs on the test network, all destroyed after the test, whether it passed or not."""
    require_libvirt()
    vms = TestVms(tmp_path)
    try:
        yield vms
    finally:
        vms.close()
