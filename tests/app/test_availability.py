"""The generated app keeps serving under faults: a worker killed, a port already taken, the
database killed under it, `nocode run` killed. Real processes, real kill -9."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import psutil
import psycopg
import pytest

from tests.conftest import (
    OwnPostgres,
    RunningApp,
    app_environment,
    free_port,
    fresh_database,
    serving,
    start_app,
    start_nocode_run,
)
from tests.processes import (
    kill_tree,
    postmaster_pid,
    server_of,
    wait_for_workers,
    wait_gone,
    workers_of,
)

POOL_TIMEOUT_SECONDS = 1.5
# What a request may take beyond the pool timeout: the HTTP round trip and the handler.
SLACK_SECONDS = 1.5


@pytest.fixture
def crm_copy(crm_dir: Path, tmp_path: Path) -> Path:
    """A folder of its own for `nocode run`, which keeps its database and .env there."""
    return Path(shutil.copytree(crm_dir, tmp_path / "crm"))


def produit() -> dict[str, object]:
    return {
        "reference": f"REF-{uuid.uuid4().hex[:8]}",
        "nom": "Clavier",
        "prix": 9.9,
        "stock": 1,
    }


def test_a_database_outage_answers_503_fast_and_the_app_recovers(
    crm_dir: Path, own_postgres: OwnPostgres, http: httpx.Client
) -> None:
    app = start_app(
        crm_dir, fresh_database(own_postgres.url), DB_POOL_TIMEOUT=str(POOL_TIMEOUT_SECONDS)
    )
    produits = f"{app.api}tables/produits/"
    try:
        assert http.post(produits, json=produit(), headers=app.headers()).status_code == 201
        own_postgres.kill()
        for method, body in (("GET", None), ("POST", produit())):
            started = time.monotonic()
            response = http.request(method, produits, json=body, headers=app.headers())
            elapsed = time.monotonic() - started
            assert response.status_code == 503, (method, response.text)
            assert response.json() == {
                "error": "Service indisponible",
                "details": {"database": "unavailable"},
                "code": "SERVICE_UNAVAILABLE",
            }
            assert int(response.headers["Retry-After"]) > 0
            assert elapsed < POOL_TIMEOUT_SECONDS + SLACK_SECONDS, (method, elapsed)
        own_postgres.start()
        deadline = time.monotonic() + 30
        while http.get(produits, headers=app.headers()).status_code != 200:
            assert time.monotonic() < deadline, "the app did not recover"
            time.sleep(0.2)
        assert http.post(produits, json=produit(), headers=app.headers()).status_code == 201
        assert http.get(produits, headers=app.headers()).json()["count"] == 2
    finally:
        app.process.terminate()
        app.process.wait(timeout=30)


def test_connections_the_database_closed_are_replaced_not_served(
    crm_dir: Path, pg_server: str, http: httpx.Client
) -> None:
    """The pool proves a connection alive only when the server sent it something while it
    sat idle (app/core/db.py): every connection a backend's end closed must be noticed."""
    with serving(crm_dir, pg_server) as app:
        produits = f"{app.api}tables/produits/"
        created = http.post(produits, json=produit(), headers=app.headers())
        assert created.status_code == 201
        record = f"{produits}{created.json()['id']}/"
        with psycopg.connect(app.database_url, autocommit=True) as connection:
            # Every connection of the app's pool, idle in it, ends as in a failover.
            ended = connection.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ).fetchone()
        assert ended is not None and ended[0] >= 1
        answers = [
            http.request(method, record, json=body, headers=app.headers()).status_code
            for method, body in [("GET", None), ("PATCH", {"stock": 2})] * 10
        ]
        assert answers == [200] * 20


def serve_process(app: RunningApp, port: int, *options: str) -> subprocess.Popen[str]:
    """`python -m app serve` of the app in `app`, on `port`, on the same database."""
    return subprocess.Popen(
        [sys.executable, "-m", "app", "serve", "--port", str(port), *options],
        cwd=app.app_dir,
        env=app_environment(app.database_url),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_server_refuses_a_port_another_program_listens_on(
    crm_copy: Path, crm: RunningApp
) -> None:
    port = int(crm.base_url.rsplit(":", 1)[1])
    refused = serve_process(crm, port)
    try:
        _, stderr = refused.communicate(timeout=60)
    finally:
        if refused.poll() is None:  # it started: stop it, or it would keep the port
            kill_tree(refused.pid)
    assert refused.returncode == 1
    assert stderr.strip() == f"error: 127.0.0.1:{port} is already in use by another program"
    ran = subprocess.run(
        [sys.executable, "-m", "nocode", "run", str(crm_copy), "--port", str(port)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ran.returncode == 1
    assert ran.stderr == f"error: 127.0.0.1:{port} is already in use by another program\n"
    # Refused before it starts anything or writes a secret.
    assert not (crm_copy / ".data").exists() and not (crm_copy / ".env").exists()


def test_the_next_release_may_share_the_port_on_purpose(crm_dir: Path, pg_server: str) -> None:
    """Blue/green: the next release starts on the port of the one in service, which
    then stops; the port never closes."""
    in_service = start_app(crm_dir, fresh_database(pg_server))
    port = int(in_service.base_url.rsplit(":", 1)[1])
    next_release = serve_process(in_service, port, "--share-port")
    try:
        deadline = time.monotonic() + 30
        while len(workers_of(psutil.Process(next_release.pid))) < 1:
            assert next_release.poll() is None, next_release.communicate()
            assert time.monotonic() < deadline, "the next release did not start"
            time.sleep(0.2)
        time.sleep(1)  # its worker opens its pool and listens
        in_service.process.terminate()
        in_service.process.wait(timeout=60)
        # A connection of its own, closed at once: none stays open to slow the stop.
        assert httpx.get(f"{in_service.base_url}/health").status_code == 200
        assert next_release.poll() is None
    finally:
        for process in (in_service.process, next_release):
            if process.poll() is None:
                kill_tree(process.pid)
            process.communicate()


def test_a_killed_worker_is_replaced_and_a_server_that_stops_fails_nocode_run(
    crm_copy: Path, http: httpx.Client
) -> None:
    run = start_nocode_run(crm_copy, "--port", str(free_port()), "--workers", "2")
    health = run.api.split("/api/", 1)[0] + "/health"
    try:
        server = server_of(run.process.pid)
        first = wait_for_workers(server, 2)
        # nocode run serves once one worker answers; the test wants both serving.
        deadline = time.monotonic() + 30
        while run.output().count("Started worker-") < 2:
            assert time.monotonic() < deadline, run.output()
            time.sleep(0.05)
        victim = first[0]
        victim.kill()
        wait_gone(victim.pid)
        (replacement,) = set(wait_for_workers(server, 2, without=victim.pid)) - set(first)
        assert [http.get(health).status_code for _ in range(20)] == [200] * 20
        assert run.process.poll() is None
        # A worker that dies again at once (granian: within 5.5 s of its respawn) is a crash
        # loop: the server gives up, and `nocode run` says so and fails, after stopping its
        # PostgreSQL.
        replacement.kill()
        assert run.process.wait(timeout=60) == 1
        assert run.output().splitlines()[-1] == "error: the app's server stopped (exit status 1)"
        assert not (crm_copy / ".data" / "postgres" / "postmaster.pid").exists()
    finally:
        if run.process.poll() is None:
            run.stop()


def test_an_embedded_postgresql_left_by_a_crash_is_adopted_then_stopped(crm_copy: Path) -> None:
    data_dir = crm_copy / ".data" / "postgres"
    crashed = start_nocode_run(crm_copy, "--port", str(free_port()))
    left_behind = postmaster_pid(data_dir)
    kill_tree(crashed.process.pid)
    crashed.process.wait()
    try:
        assert psutil.pid_exists(left_behind)
        again = start_nocode_run(crm_copy, "--port", str(free_port()))
        assert postmaster_pid(data_dir) == left_behind  # adopted, not started twice
        assert again.stop() == 0
        wait_gone(left_behind)
        assert not (data_dir / "postmaster.pid").exists()
    finally:
        if psutil.pid_exists(left_behind):
            os.kill(left_behind, signal.SIGKILL)


def test_a_server_killed_outright_fails_nocode_run_and_leaves_no_worker(crm_copy: Path) -> None:
    port = free_port()
    run = start_nocode_run(crm_copy, "--port", str(port), "--workers", "2")
    try:
        server = server_of(run.process.pid)
        workers = wait_for_workers(server, 2)
        server.kill()
        assert run.process.wait(timeout=60) == 1
        assert (
            run.output().splitlines()[-1] == "error: the app's server stopped (killed by SIGKILL)"
        )
        for worker in workers:  # orphans would keep the port and serve on a dead database
            wait_gone(worker.pid, seconds=5)
        assert not (crm_copy / ".data" / "postgres" / "postmaster.pid").exists()
    finally:
        if run.process.poll() is None:
            run.stop()
