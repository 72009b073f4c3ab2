"""The generated repository stands alone: its own CI script installs its dependencies
from the package registry into its own virtualenv, checks ruff (format and lint) and
mypy --strict, and runs its generated tests on a real PostgreSQL."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from tests.conftest import traversable_dir


def test_the_generated_repository_passes_its_own_ci(crm_dir: Path) -> None:
    # Not in tmp_path: the repository's embedded PostgreSQL runs its programs from .venv as
    # its own user, and any pytest session started meanwhile makes tmp_path's root private.
    with traversable_dir("nocode-ci-") as folder:
        repository = folder / "gestion_client"
        ignored = shutil.ignore_patterns(".data", ".env", ".venv")
        shutil.copytree(crm_dir, repository, ignore=ignored)
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
