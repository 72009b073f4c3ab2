"""templates/app is a cookiecutter template too: plain cookiecutter makes a bare app that
is clean Python and serves an empty project."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx

from generator.resources import templates_dir
from tests.conftest import fresh_database, start_app


def test_plain_cookiecutter_makes_a_working_bare_app(tmp_path: Path, pg_server: str) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "cookiecutter",
            str(templates_dir() / "app"),
            "--no-input",
            "-o",
            str(tmp_path),
            "project_name=Bare App",
        ],
        check=True,
        capture_output=True,
    )
    app_dir = tmp_path / "bare_app"
    for command in (
        ["ruff", "format", "--check", "--quiet", "."],
        ["ruff", "check", "--quiet", "."],
        ["mypy"],
    ):
        result = subprocess.run(
            [sys.executable, "-m", *command], cwd=app_dir, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stdout + result.stderr
    (app_dir / "nocode.spec.json").write_text(
        '{"spec": {"project": {"id": "00000000-0000-4000-8000-000000000000"}}}'
    )
    app = start_app(app_dir, fresh_database(pg_server))
    try:
        schema = httpx.get(f"{app.api}schema/", headers=app.headers()).json()
        assert schema["project"]["name"] == "Bare App"
        assert schema["tables"] == {}
    finally:
        app.process.terminate()
        app.process.wait(timeout=30)
