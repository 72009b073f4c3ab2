"""Shared fixtures: a real PostgreSQL, and the example CRM app generated and served over
real HTTP by its own server process (granian), as a user would run it."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import uuid
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import make_conninfo

from generator.generate import generate
from generator.resources import specs_dir
from nocode.apps import development_token

# The golden copies hold a generated app's own tests: they are data here, not tests.
collect_ignore_glob = ["golden/*/expected/*"]

REPOSITORY = Path(__file__).resolve().parent.parent
CRM_SPEC = specs_dir() / "gestion_client.yaml"
TEST_SECRET = "a-test-secret-that-is-long-enough-for-hs256"


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One PostgreSQL for the session: TEST_DATABASE_URL, or an embedded server."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        yield url
        return
    from nocode.postgres import embedded_server

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with embedded_server(tmp_path_factory.mktemp("pg") / "data") as server_url:
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


@pytest.fixture(scope="session")
def crm(crm_dir: Path, pg_server: str) -> Iterator[RunningApp]:
    app = start_app(crm_dir, fresh_database(pg_server))
    yield app
    app.process.terminate()
    app.process.wait(timeout=30)


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
