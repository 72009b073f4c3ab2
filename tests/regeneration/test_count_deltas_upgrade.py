"""An app generated before count deltas (schema revision 3, change counters): regenerating
it replaces nocode_changes and its triggers by the delta log, keeping its records, and its
lists count exactly through writes from then on."""

from __future__ import annotations

from pathlib import Path

import psycopg

from tests.conftest import CRM_SPEC, fresh_database
from tests.regeneration.helpers import (
    Api,
    as_generated_before_count_deltas,
    serving,
    upgrade_by_regenerating,
)
from tests.test_cli import nocode


def test_an_app_with_change_counters_gets_count_deltas(tmp_path: Path, pg_server: str) -> None:
    repo = tmp_path / "app"
    assert nocode("generate", str(CRM_SPEC), "--out", str(repo)).returncode == 0
    as_generated_before_count_deltas(repo)
    database = fresh_database(pg_server)
    with serving(repo, database) as app:  # its lists are the new code's: not called here
        api = Api(app)
        kept = api.create("clients", {"nom": "Jean", "email": "jean@example.com"})
        api.create("clients", {"nom": "Marie", "email": "marie@example.com"})
    with psycopg.connect(database) as connection:
        assert connection.execute("SELECT sum(changes) FROM nocode_changes").fetchone() == (2,)

    upgrade_by_regenerating(repo, database, pg_server, "additive     count deltas added: tables")
    with psycopg.connect(database) as connection:
        assert connection.execute("SELECT to_regclass('nocode_changes')").fetchone() == (None,)

    with serving(repo, database) as app:
        api = Api(app)
        assert api.get("clients", kept["id"]) == kept
        assert api.count("clients") == 2
        api.create("clients", {"nom": "Paul", "email": "paul@example.com"})
        assert api.count("clients") == 3
        with psycopg.connect(database, autocommit=True) as connection:
            connection.execute("DELETE FROM clients WHERE nom = 'Jean'")
            (logged,) = connection.execute(
                "SELECT count(*) FROM nocode_count_deltas WHERE table_name = 'clients'"
            ).fetchone() or (0,)
        assert logged >= 2
        assert api.count("clients") == 2
