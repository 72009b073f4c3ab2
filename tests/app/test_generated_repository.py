"""The generated repository stands alone: its own CI script installs its dependencies
from the package registry into its own virtualenv, checks ruff (format and lint) and
mypy --strict, and runs its generated tests on a real PostgreSQL."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path


def test_the_generated_repository_passes_its_own_ci(crm_dir: Path, tmp_path: Path) -> None:
    repository = tmp_path / "gestion_client"
    shutil.copytree(crm_dir, repository, ignore=shutil.ignore_patterns(".data", ".env", ".venv"))
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("VIRTUAL_ENV")
    }
    result = subprocess.run(
        ["bash", ".ci/run"],
        cwd=repository,
        capture_output=True,
        text=True,
        env=environment,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert " passed" in result.stdout
