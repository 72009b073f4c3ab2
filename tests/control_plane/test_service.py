"""`nocode serve` itself: the embedded default, two instances on one database, bad
settings, and `nocode migrate`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import psycopg

from control_plane.migrate import MIGRATIONS
from tests.conftest import TEST_SECRET, free_port, fresh_database
from tests.control_plane.conftest import FOUNDATION, PASSWORD, Inbox, Server, serve, wait_healthy


def _nocode(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nocode", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _without_database() -> dict[str, str]:
    return {
        name: value
        for name, value in os.environ.items()
        if name not in {"DATABASE_URL", "JWT_SECRET"}
    }


def _postgres_running_in(folder: Path) -> bool:
    listing = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    return str(folder) in listing


def test_embedded_default_needs_no_setup_and_keeps_its_data(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    env = _without_database()
    port = str(free_port())

    def start() -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [sys.executable, "-m", "nocode", "serve", "--port", port, "--data-dir", str(data_dir)],
            env=env,
            stdout=(tmp_path / "serve.log").open("ab"),
            stderr=subprocess.STDOUT,
        )

    base = f"http://127.0.0.1:{port}{FOUNDATION}"
    process = start()
    wait_healthy(Server(f"http://127.0.0.1:{port}", "", process, tmp_path / "serve.log"))
    credentials = {"email": "first@example.com", "password": PASSWORD}
    registration = {**credentials, "first_name": "First"}
    assert httpx.post(f"{base}/auth/register/client/", json=registration).status_code == 201
    access = httpx.post(f"{base}/auth/login/", json=credentials).json()["access"]
    assert (data_dir / ".env").stat().st_mode & 0o777 == 0o600
    process.terminate()
    assert process.wait(timeout=30) == 0
    assert not _postgres_running_in(data_dir / "postgres"), "the embedded server kept running"

    # Started again: same database, same JWT secret, so the token of the first run works.
    process = start()
    try:
        wait_healthy(Server(f"http://127.0.0.1:{port}", "", process, tmp_path / "serve.log"))
        profile = httpx.get(f"{base}/users/profile/", headers={"Authorization": f"Bearer {access}"})
        assert profile.status_code == 200 and profile.json()["email"] == "first@example.com"
        for page in ("/api/docs/", "/api/redoc/", "/api/schema/"):
            assert httpx.get(f"http://127.0.0.1:{port}{page}").status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_two_instances_start_together_on_one_database(
    pg_server: str, inbox: Inbox, tmp_path: Path
) -> None:
    database_url = fresh_database(pg_server)
    first = serve(database_url, inbox, tmp_path / "a", wait=False)
    second = serve(database_url, inbox, tmp_path / "b", wait=False)
    try:
        wait_healthy(first)
        wait_healthy(second)
        with httpx.Client() as http:
            credentials = {"email": "shared@example.com", "password": PASSWORD}
            registered = http.post(
                f"{first.base_url}{FOUNDATION}/auth/register/client/",
                json={**credentials, "first_name": "Shared"},
            )
            assert registered.status_code == 201
            login = http.post(f"{second.base_url}{FOUNDATION}/auth/login/", json=credentials)
            assert login.status_code == 200
        with psycopg.connect(database_url) as connection:
            versions = connection.execute(
                "SELECT version, count(*) FROM schema_migrations GROUP BY version"
            ).fetchall()
        assert versions and all(count == 1 for _, count in versions)
    finally:
        first.stop()
        second.stop()


def test_bad_settings_stop_the_start_with_one_line_each(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": "postgresql:///unused", "JWT_SECRET": "short"}
    env["ACCESS_TOKEN_MINUTES"] = "soon"
    env["SMTP_PORT"] = "twenty-five"
    result = _nocode("serve", "--data-dir", str(tmp_path), env=env)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert any(line.startswith("error: SMTP_PORT:") for line in lines), result.stderr
    assert any(line.startswith("error: JWT_SECRET:") for line in lines), result.stderr
    assert any(line.startswith("error: ACCESS_TOKEN_MINUTES:") for line in lines), result.stderr


def test_migrate_applies_once(pg_server: str, tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": fresh_database(pg_server), "JWT_SECRET": TEST_SECRET}
    first = _nocode("migrate", "--data-dir", str(tmp_path), env=env)
    assert first.returncode == 0, first.stderr
    every_file = ", ".join(path.stem for path in sorted(MIGRATIONS.glob("*.sql")))
    assert every_file.startswith("0001_foundation, 0002_login_failure_ids, 0100_jobs")
    assert f"applied {every_file}, the job queue's schema (" in first.stdout
    second = _nocode("migrate", "--data-dir", str(tmp_path), env=env)
    assert second.returncode == 0 and "no migration to apply" in second.stdout
