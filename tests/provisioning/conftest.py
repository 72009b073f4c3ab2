"""Fixtures of the provisioning tests: the LXC provider on the tests' own bridge (see lxc.py)
and an SSH key pair for the machines it makes."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from deployment.providers.lxc import LxcProvider
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
