"""The shared fixtures of tests/conftest.py hold while other test runs come and go."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import psycopg

from tests.conftest import fresh_database


def test_the_session_postgresql_survives_another_pytest_session(
    pg_server: str, tmp_path: Path
) -> None:
    # Another session with a tmp_path, as a second test run on the machine has: pytest makes
    # /tmp/pytest-of-<user> private again, which a server running as another user must survive.
    other = tmp_path / "test_other.py"
    other.write_text("def test_other(tmp_path):\n    assert tmp_path.is_dir()\n")
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(other)],
        cwd=tmp_path,
        capture_output=True,
        check=True,
    )

    with psycopg.connect(pg_server, autocommit=True) as connection:
        connection.execute("CHECKPOINT")  # the server opens its own files again
    with psycopg.connect(fresh_database(pg_server)) as connection:
        assert connection.execute("SELECT 1").fetchone() == (1,)
