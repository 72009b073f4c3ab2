"""Fixtures of the deployment tests: disposable SSH hosts (see hosts.py)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.deploy.hosts import HostFactory, require_namespaces

PACKAGES = [
    "openssh-server",
    "debootstrap",
    "apt-cacher-ng",
    "postgresql",
    "python3-venv",
    "python3-apt",
    "supervisor",
]


@pytest.fixture(scope="session", autouse=True)
def _namespaces_work() -> None:
    """Fail every deployment test at once, with the reason, on a machine that cannot host them."""
    missing = subprocess.run(["dpkg", "-s", *PACKAGES], capture_output=True, check=False)
    if missing.returncode != 0:
        subprocess.run(["bash", str(Path(__file__).with_name("install_packages.sh"))], check=True)
    require_namespaces()


@pytest.fixture
def host_factory(tmp_path: Path) -> Iterator[HostFactory]:
    """Makes hosts for one test, all removed after it, whether it passed or not."""
    with HostFactory(tmp_path) as factory:
        yield factory
