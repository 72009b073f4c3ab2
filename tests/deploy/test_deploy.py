"""`nocode deploy` and `nocode rollback`, for real: Ansible over SSH to hosts in network
namespaces, the CRM app served there and called from here."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Self

import httpx
import pytest

from tests.conftest import traversable_dir
from tests.deploy.deployer import Api, Deployer, commit_edit, commit_version, crm_spec
from tests.deploy.hosts import HostFactory

pytestmark = pytest.mark.slow


@pytest.fixture
def deployer(host_factory: HostFactory, tmp_path: Path) -> Iterator[Deployer]:
    # The app's and PostgreSQL's users go through the roots, as through /srv.
    with traversable_dir("nc-") as roots:
        deployer = Deployer(host_factory, tmp_path, roots)
        yield deployer
        host_factory.close()  # first: its hosts' processes still use the roots
        deployer.unmount()


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


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The CRM app, version 1.0.0, in a Git repository whose commits are reproducible."""
    for name, value in REPRODUCIBLE_COMMITS.items():
        monkeypatch.setenv(name, value)
    repo = tmp_path / "gestion_client"
    commit_version(repo, crm_spec("1.0.0"))
    return repo


def test_deploy_upgrade_rerun_and_rollback(
    deployer: Deployer, host_factory: HostFactory, repo: Path
) -> None:
    host = host_factory.create("crm")
    secret_marker = "do-not-log-" + os.urandom(8).hex()
    first = deployer.to(
        "deploy",
        repo,
        host,
        env={**os.environ, "JWT_SECRET": secret_marker, "PGPASSWORD": secret_marker},
    )
    assert first.result.returncode == 0, first.output
    assert f"http://{host.address}:8000/api/v1/runtime/projects/" in first.result.stdout
    assert [step["step"] for step in first.record["steps"]] == [
        "Build",
        "Validation",
        "Host Preparation",
        "Database",
        "Backup",
        "Code Deployment",
        "Database Migration",
        "Switch",
        "Health Checks",
        "Clean up",
    ]
    assert all(step["status"] == "success" for step in first.record["steps"])

    files = deployer.files(host)
    api = Api(host, files, repo)
    jean = api.create(
        "clients",
        {"nom": "Jean Dupont", "email": "jean@example.com", "telephone": "+33123456789"},
    )
    api.create("clients", {"nom": "Marie Curie", "email": "marie@example.com"})

    # Nothing secret of the caller or of the host reaches the output or the record.
    env_file = (files / "shared" / ".env").read_text()
    database_password = env_file.split("://")[1].split("@")[0].split(":")[1]
    for text in (first.output, str(first.record)):
        assert secret_marker not in text
        assert database_password not in text
    assert oct((files / "shared" / ".env").stat().st_mode & 0o777) == "0o600"

    # The same release again: nothing changes.
    again = deployer.to("deploy", repo, host)
    assert again.result.returncode == 0, again.output
    assert again.record["changed"] == 0, [
        line for line in again.record["logs"] if line["status"] == "changed"
    ]

    # Version 1.1.0: a new field and a renamed one; the data stays.
    commit_version(repo, crm_spec("1.1.0"))
    with Traffic(f"http://{host.address}:8000/health") as traffic:
        upgrade = deployer.to("deploy", repo, host)
    # Two workers per host: the switch loses no request (each on a new connection).
    assert traffic.answers > 20 and traffic.failures == [], traffic.failures[:3]
    assert upgrade.result.returncode == 0, upgrade.output
    assert upgrade.record["version"] == "1.1.0"
    assert (
        "1 migration" in str(upgrade.record["logs"])
        or upgrade.step("Database Migration")["status"] == "success"
    )
    clients = {client["email"]: client for client in api.records("clients")}
    assert set(clients) == {"jean@example.com", "marie@example.com"}
    assert clients["jean@example.com"]["mobile"] == "+33123456789"
    assert "site_web" in api.fields("clients")
    releases = sorted(path.name for path in (files / "releases").iterdir())
    assert len(releases) == 2 and (files / "current").resolve().name == upgrade.record["release"]
    assert len(list((files / "backups").glob("*.dump"))) == 1

    # Roll back on demand: 1.0.0 serves again, on the schema it knows.
    back = deployer.to("rollback", repo, host)
    assert back.result.returncode == 0, back.output
    assert (files / "current").resolve().name == first.record["release"]
    assert "site_web" not in api.fields("clients")
    clients = {client["email"]: client for client in api.records("clients")}
    assert clients["jean@example.com"]["telephone"] == "+33123456789"
    assert clients["jean@example.com"]["id"] == jean["id"]


def test_failed_health_check_rolls_back(
    deployer: Deployer, host_factory: HostFactory, repo: Path
) -> None:
    host = host_factory.create("crm")
    first = deployer.to("deploy", repo, host)
    assert first.result.returncode == 0, first.output
    files = deployer.files(host)
    api = Api(host, files, repo)
    api.create(
        "clients", {"nom": "Jean Dupont", "email": "jean@example.com", "telephone": "0102030405"}
    )

    # 1.1.0 migrates the schema, but its /health never answers 200.
    commit_version(repo, crm_spec("1.1.0"))
    commit_edit(
        repo,
        "app/api/health.py",
        'return JSONResponse({"status": "ok", "database": "ok"})',
        'return error_response(503, UNHEALTHY, {"database": "broken on purpose"})',
        "A release that is never healthy",
    )
    failed = deployer.to("deploy", repo, host, "--health-deadline", "6")
    assert failed.result.returncode == 1
    assert "DEPLOY_001" in failed.result.stderr and "Health Checks" in failed.result.stderr
    assert failed.record["status"] == "failed" and failed.record["error_code"] == "DEPLOY_001"
    assert failed.step("Health Checks")["status"] == "failed"
    assert failed.step("Rollback")["status"] == "success"
    assert "rolled back to 1.0.0-" in failed.record["error_message"]
    assert "database restored" in failed.record["error_message"]

    # The previous version serves again, on its own schema, with the data.
    assert httpx.get(f"http://{host.address}:8000/health", timeout=5).status_code == 200
    assert "site_web" not in api.fields("clients")
    assert [client["telephone"] for client in api.records("clients")] == ["0102030405"]
    assert [path.name for path in (files / "releases").iterdir()] == [first.record["release"]]


def test_two_hosts_roll_one_at_a_time_and_a_failure_stops_the_rollout(
    deployer: Deployer, host_factory: HostFactory, repo: Path
) -> None:
    hosts = [host_factory.create("web1"), host_factory.create("web2")]
    inventory = str(deployer.inventory(hosts))
    first = deployer("deploy", repo, "--inventory", inventory, "--health-deadline", "20")
    assert first.result.returncode == 0, first.output
    order = [(line["host"], line["step"]) for line in first.record["logs"]]
    # web1 is switched and checked before web2 starts: one batch at a time.
    assert order.index(("web1", "Health Checks")) < order.index(("web2", "Validation"))
    for host in hosts:
        assert httpx.get(f"http://{host.address}:8000/health", timeout=5).status_code == 200

    commit_version(repo, crm_spec("1.1.0"))
    commit_edit(
        repo,
        "app/api/health.py",
        'return JSONResponse({"status": "ok", "database": "ok"})',
        'return error_response(503, UNHEALTHY, {"database": "broken on purpose"})',
        "A release that is never healthy",
    )
    failed = deployer("deploy", repo, "--inventory", inventory, "--health-deadline", "6")
    assert failed.result.returncode == 1 and failed.record["error_code"] == "DEPLOY_001"
    assert {line["host"] for line in failed.record["logs"]} == {"web1"}  # web2 untouched
    for host in hosts:
        assert (deployer.files(host) / "current").resolve().name == first.record["release"]
        assert httpx.get(f"http://{host.address}:8000/health", timeout=5).status_code == 200


def test_unreachable_host_wrong_host_key_and_wrong_client_key(
    deployer: Deployer, host_factory: HostFactory, repo: Path
) -> None:
    # A database URL given to nocode is a secret: no Ansible process may show it.
    secret = "postgresql://app:" + os.urandom(8).hex() + "@/app"
    with ProcessWatch(secret) as watch:
        nobody = deployer(
            "deploy",
            repo,
            "--host",
            "root@127.0.0.1:9",
            "--root",
            "/tmp/nc-none",
            env={**os.environ, "NOCODE_DEPLOY_DATABASE_URL": secret},
        )
    assert watch.seen == [] and watch.ansible_processes > 0
    assert secret not in nobody.output and secret not in str(nobody.record)
    assert nobody.result.returncode == 1
    assert nobody.record["error_code"] == "DEPLOY_003"
    assert "Connection refused" in nobody.result.stderr
    assert [line["status"] for line in nobody.record["logs"]][-1] == "unreachable"

    host = host_factory.create("crm")
    impostor = subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(deployer.work / "impostor")],
        check=True,
    )
    assert impostor.returncode == 0
    other_key = (deployer.work / "impostor.pub").read_text().split()[:2]
    deployer.known_hosts.write_text(f"{host.address} {' '.join(other_key)}\n")
    wrong_host_key = deployer.to("deploy", repo, host)
    assert wrong_host_key.result.returncode == 1
    assert wrong_host_key.record["error_code"] == "DEPLOY_003"
    assert "host key does not match" in wrong_host_key.result.stderr
    assert not Path(deployer.root(host)).exists()  # nothing ran on the host

    deployer.known_hosts.write_text(host.known_hosts_line() + "\n")
    wrong_key = deployer.to("deploy", repo, host, "--key", str(deployer.work / "impostor"))
    assert wrong_key.result.returncode == 1 and wrong_key.record["error_code"] == "DEPLOY_003"
    assert "Permission denied" in wrong_key.result.stderr
    assert not Path(deployer.root(host)).exists()


def test_full_disk_fails_cleanly(deployer: Deployer, host_factory: HostFactory, repo: Path) -> None:
    # Too little room from the start: refused at Validation, nothing made.
    tiny = deployer.small_disk("tiny", 64)
    host = host_factory.create("tiny")
    refused = deployer.to("deploy", repo, host)
    assert refused.result.returncode == 1 and refused.record["error_code"] == "DEPLOY_004"
    assert refused.step("Validation")["status"] == "failed"
    assert list(tiny.iterdir()) == []

    # The disk fills up during an upgrade: the release in service keeps serving.
    disk = deployer.small_disk("full", 400)
    host = host_factory.create("full")
    inventory = str(deployer.inventory([host], nocode_app_min_free_mb=1))
    first = deployer("deploy", repo, "--inventory", inventory)
    assert first.result.returncode == 0, first.output
    subprocess.run(["fallocate", "-l", f"{_free_mb(disk) - 20}M", str(disk / "filler")], check=True)
    commit_version(repo, crm_spec("1.1.0"))
    full = deployer("deploy", repo, "--inventory", inventory)
    assert full.result.returncode == 1, full.output
    assert full.record["error_code"] == "DEPLOY_004", full.record["error_message"]
    assert (disk / "current").resolve().name == first.record["release"]
    assert [path.name for path in (disk / "releases").iterdir()] == [first.record["release"]]
    assert httpx.get(f"http://{host.address}:8000/health", timeout=5).status_code == 200


class Background(threading.Thread):
    """Calls tick() again and again while a `with` block runs."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self._stop_asked = threading.Event()

    def tick(self) -> None:
        raise NotImplementedError

    def run(self) -> None:
        while not self._stop_asked.is_set():
            self.tick()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop_asked.set()
        self.join()


class ProcessWatch(Background):
    """Looks for a text in the command line and environment of every Ansible process."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text.encode()
        self.seen: list[str] = []
        self.ansible_processes = 0

    def tick(self) -> None:
        for process in Path("/proc").glob("[0-9]*"):
            try:
                command = (process / "cmdline").read_bytes()
                if b"ansible" not in command and b"ssh" not in command:
                    continue
                self.ansible_processes += 1
                if self.text in command or self.text in (process / "environ").read_bytes():
                    self.seen.append(command.decode(errors="replace"))
            except OSError:
                continue  # gone meanwhile
        time.sleep(0.05)


class Traffic(Background):
    """Requests one URL again and again, each on a new connection."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        self.answers = 0
        self.failures: list[str] = []

    def tick(self) -> None:
        try:
            status = httpx.get(self.url, timeout=10).status_code
        except httpx.HTTPError as error:
            self.failures.append(repr(error))
            return
        self.answers += 1
        if status != 200:
            self.failures.append(f"HTTP {status}")
        time.sleep(0.02)


def _free_mb(path: Path) -> int:
    stats = os.statvfs(path)
    return stats.f_bavail * stats.f_frsize // (1024 * 1024)


def test_first_deployment_installs_everything_on_a_bare_debian_host(
    deployer: Deployer, host_factory: HostFactory, repo: Path
) -> None:
    """A host with its own root filesystem: a bare Debian 12 with only ssh and python3."""
    host = host_factory.create("bare", own_root=True)
    assert host.run(["dpkg", "-s", "postgresql"]).returncode != 0  # bare indeed

    first = deployer.to("deploy", repo, host)
    assert first.result.returncode == 0, first.output
    for package in ("postgresql", "python3-venv", "supervisor"):
        assert host.run(["dpkg", "-s", package]).returncode == 0, package

    api = Api(host, deployer.files(host), repo)
    jean = api.create("clients", {"nom": "Jean Dupont", "email": "jean@example.com"})
    assert [client["id"] for client in api.records("clients")] == [jean["id"]]
    assert deployer.to("deploy", repo, host).record["changed"] == 0
