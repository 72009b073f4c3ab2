"""The generated app's migrator: a migration stopped in its concurrent part resumes there
on the next run, after dropping the invalid index the failed build left."""

from __future__ import annotations

from pathlib import Path

import psycopg

from tests.conftest import fresh_database
from tests.regeneration.helpers import Api, generate_version, migrate, serving
from tests.regeneration.versions import V1

MIGRATION = """-- Written by hand for this test.

SET LOCAL lock_timeout = '5s';

ALTER TABLE clients ADD COLUMN code text;

UPDATE clients SET code = 'same';

-- nocode:concurrently

CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS clients_code_idx ON clients (code);

ALTER TABLE clients ALTER COLUMN code SET NOT NULL;
"""


def test_a_stopped_concurrent_part_resumes(tmp_path: Path, pg_server: str) -> None:
    repo = tmp_path / "app"
    generate_version(tmp_path, V1, repo)
    database = fresh_database(pg_server)
    with serving(repo, database) as app:
        api = Api(app)
        api.create("clients", {"nom": "Un"})
        api.create("clients", {"nom": "Deux"})
    (repo / "migrations" / "0002_code.sql").write_text(MIGRATION)

    stopped = migrate(repo, database)
    assert stopped.returncode == 1
    assert stopped.stderr.splitlines()[-1].startswith(
        "migration failed: 0002_code.sql (concurrent part, run again to resume): "
        "could not create unique index"
    )
    with psycopg.connect(database, autocommit=True) as connection:
        ledger = connection.execute("SELECT version, finished FROM schema_migrations").fetchall()
        assert sorted(ledger) == [("0001_initial", True), ("0002_code", False)]
        valid = connection.execute(
            "SELECT indisvalid FROM pg_index WHERE indexrelid = 'clients_code_idx'::regclass"
        ).fetchone()
        assert valid == (False,)  # what a failed concurrent build leaves
        connection.execute("UPDATE clients SET code = id::text")

    resumed = migrate(repo, database)  # the transactional part does not run twice
    assert resumed.returncode == 0, resumed.stderr
    with psycopg.connect(database) as connection:
        ledger = connection.execute("SELECT version, finished FROM schema_migrations").fetchall()
        assert sorted(ledger) == [("0001_initial", True), ("0002_code", True)]
        valid = connection.execute(
            "SELECT indisvalid FROM pg_index WHERE indexrelid = 'clients_code_idx'::regclass"
        ).fetchone()
        assert valid == (True,)
    assert "applied 0 migration(s)" in migrate(repo, database).stdout
