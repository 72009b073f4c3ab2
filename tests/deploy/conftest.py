"""Fixtures of the deployment tests: disposable SSH hosts (see hosts.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.deploy.hosts import HostFactory, require_namespaces


@pytest.fixture(scope="session", autouse=True)
def _namespaces_work() -> None:
    """Fail every deployment test at once, with the reason, on a machine that cannot host them."""
    require_namespaces()


@pytest.fixture
def host_factory(tmp_path: Path) -> Iterator[HostFactory]:
    """Makes hosts for one test, all removed after it, whether it passed or not."""
    with HostFactory(tmp_path) as factory:
        yield factory
