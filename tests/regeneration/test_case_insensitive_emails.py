"""An app generated when unique emails were compared with their case: regenerating it
makes them unique regardless of case, refusing (and naming) the addresses held twice."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.app.test_errors import assert_error
from tests.conftest import CRM_SPEC, fresh_database
from tests.regeneration.helpers import (
    Api,
    applied_migrations,
    as_generated_before_case_insensitive_emails,
    database_shape,
    migrate,
    serving,
)
from tests.regeneration.versions import V1, write_spec
from tests.test_cli import nocode

UNIQUE_EMAIL = copy.deepcopy(V1)
UNIQUE_EMAIL["tables"]["clients"]["fields"]["email"]["is_unique"] = True


@pytest.mark.parametrize(
    ("spec", "change", "path"),
    [
        (None, "index made case-insensitive", "tables.clients.indexes.idx_clients_email"),
        (UNIQUE_EMAIL, "unique made case-insensitive", "tables.clients.fields.email"),
    ],
    ids=["declared-unique-index", "unique-field"],
)
def test_an_older_app_gets_case_insensitive_unique_emails(
    tmp_path: Path, pg_server: str, spec: dict[str, Any] | None, change: str, path: str
) -> None:
    spec_file = CRM_SPEC if spec is None else write_spec(tmp_path, spec)
    repo = tmp_path / "app"
    assert nocode("generate", str(spec_file), "--out", str(repo)).returncode == 0
    as_generated_before_case_insensitive_emails(repo)
    database = fresh_database(pg_server)
    with serving(repo, database) as app:
        api = Api(app)
        api.create("clients", {"nom": "Jean", "email": "jean@example.com"})
        twin = api.create("clients", {"nom": "Jean bis", "email": "Jean@Example.com"})

    planned = nocode("diff", str(spec_file), str(repo))
    assert planned.returncode == 0, planned.stderr
    assert f"additive     {change}: {path}" in planned.stdout
    generated = nocode("generate", str(spec_file), "--out", str(repo))
    assert generated.returncode == 0, generated.stderr
    assert "migration: migrations/0002_v1_0_0.sql" in generated.stdout

    shape = database_shape(database)
    stopped = migrate(repo, database)
    assert stopped.stderr.strip() == (
        f"migration failed: 0002_v1_0_0.sql: {path}: unique now, but several records hold "
        "each of these values (regardless of case): 'jean@example.com'"
    )
    assert database_shape(database) == shape

    with psycopg.connect(database, autocommit=True) as connection:
        connection.execute("DELETE FROM clients WHERE id = %s", (twin["id"],))
    done = migrate(repo, database)
    assert done.returncode == 0, done.stderr
    assert applied_migrations(database) == ["0001_initial", "0002_v1_0_0"]
    fresh_repo, fresh = tmp_path / "fresh", fresh_database(pg_server)
    assert nocode("generate", str(spec_file), "--out", str(fresh_repo)).returncode == 0
    assert migrate(fresh_repo, fresh).returncode == 0
    assert database_shape(database) == database_shape(fresh)
    with serving(repo, database) as app:
        response = Api(app).http.post(
            f"{app.api}tables/clients/", json={"nom": "Jean ter", "email": "JEAN@EXAMPLE.COM"}
        )
        assert_error(response, 409, "RUNTIME_004", "email")
