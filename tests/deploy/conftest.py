"""Fixtures of the deployment tests: disposable SSH hosts (see hosts.py), the CRM app in Git and
`nocode deploy` run against those hosts (see deployer.py).

test_deploy.py and test_deploy_refusals.py run at the same time, one per xdist worker. What
their hosts share is made per test (roots, hosts' keys and work folders, namespaces, interfaces
and addresses: see hosts.py) or once for the machine under a lock that every pytest process
takes (the packages below, the app's system user, the bare Debian root, the apt proxy's cache).
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import traversable_dir
from tests.deploy.deployer import Deployer, commit_version, crm_spec
from tests.deploy.hosts import HostFactory, locked, require_namespaces

PACKAGES = [
    "openssh-server",
    "debootstrap",
    "apt-cacher-ng",
    "postgresql",
    "python3-venv",
    "python3-apt",
    "supervisor",
]
# apt and dpkg refuse a second run at once: the first worker installs, the others wait for it.
PACKAGES_LOCK = Path("/run/nocode-tests-packages.lock")
# The role's nocode_app_user for the CRM (nocode_app_name gestion_client). Hosts that share the
# machine's files share its users: two first deployments at once would both run useradd, and the
# second would fail on the user the first just made.
APP_USER = "nocode-gestion-client"
USERS_LOCK = Path("/run/nocode-tests-users.lock")

# Commits by one author at one time: a version is the same commit in every test and every run,
# so `nocode deploy` builds its release archive (wheels downloaded) once and then finds it in its
# cache, as it does for an operator deploying one commit again.
REPRODUCIBLE_COMMITS = {
    "GIT_AUTHOR_NAME": "nocode tests",
    "GIT_AUTHOR_EMAIL": "tests@nocode.invalid",
    "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z",
    "GIT_COMMITTER_NAME": "nocode tests",
    "GIT_COMMITTER_EMAIL": "tests@nocode.invalid",
    "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z",
}


@pytest.fixture(scope="session", autouse=True)
def _namespaces_work() -> None:
    """Fail every deployment test at once, with the reason, on a machine that cannot host them."""
    with locked(PACKAGES_LOCK):
        missing = subprocess.run(["dpkg", "-s", *PACKAGES], capture_output=True, check=False)
        if missing.returncode != 0:
            subprocess.run(
                ["bash", str(Path(__file__).with_name("install_packages.sh"))], check=True
            )
    require_namespaces()


def system_user(name: str) -> str:
    """A system user on the machine, made once for every pytest process: a playbook run on a
    host that shares the machine's files then finds it instead of racing another to make it."""
    with locked(USERS_LOCK):
        if subprocess.run(["id", "-u", name], capture_output=True).returncode != 0:
            subprocess.run(
                ["useradd", "--system", "--user-group", "--no-create-home",
                 "--shell", "/usr/sbin/nologin", name],
                check=True,
            )  # fmt: skip
    return name


@pytest.fixture(scope="session")
def app_user() -> str:
    """The app's system user on the machine. Its making it is the bare Debian host's part
    (test_deploy.py)."""
    return system_user(APP_USER)


@pytest.fixture
def host_factory(tmp_path: Path) -> Iterator[HostFactory]:
    """Makes hosts for one test, all removed after it, whether it passed or not."""
    with HostFactory(tmp_path) as factory:
        yield factory


@pytest.fixture
def deployer(host_factory: HostFactory, tmp_path: Path, app_user: str) -> Iterator[Deployer]:
    del app_user  # made before any deployment to a host sharing the machine's files
    # The app's and PostgreSQL's users go through the roots, as through /srv.
    with traversable_dir("nc-") as roots:
        deployer = Deployer(host_factory, tmp_path, roots)
        yield deployer
        host_factory.close()  # first: its hosts' processes still use the roots
        deployer.unmount()


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The CRM app, version 1.0.0, in a Git repository whose commits are reproducible."""
    for name, value in REPRODUCIBLE_COMMITS.items():
        monkeypatch.setenv(name, value)
    repo = tmp_path / "gestion_client"
    commit_version(repo, crm_spec("1.0.0"))
    return repo
