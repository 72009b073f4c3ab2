"""Refused changes leave the repository as it was, and a migration stopped by the data
leaves the database as it was, with a message naming the spec path and the values."""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import psycopg
import pytest

from generator.errors import PlanError
from tests.conftest import fresh_database
from tests.regeneration.helpers import (
    Api,
    applied_migrations,
    database_shape,
    generate_version,
    migrate,
    serving,
    tree_digest,
)
from tests.regeneration.versions import V1, V2, changed, write_spec

NOCODE = [sys.executable, "-m", "nocode"]


def test_destructive_changes_need_force_and_say_what_they_drop(tmp_path: Path, repo: Path) -> None:
    before = tree_digest(repo)
    spec = write_spec(tmp_path, V2, "v2.yaml")
    refused = subprocess.run(
        [*NOCODE, "generate", str(spec), "--out", str(repo)], capture_output=True, text=True
    )
    assert refused.returncode == 1
    assert "error: tables.brouillons: table dropped loses data" in refused.stderr
    assert "error: tables.produits.fields.remarque: field dropped loses data" in refused.stderr
    assert "--force" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert tree_digest(repo) == before
    forced = subprocess.run(
        [*NOCODE, "generate", str(spec), "--out", str(repo), "--force"],
        capture_output=True,
        text=True,
    )
    assert forced.returncode == 0, forced.stderr
    migration = (repo / "migrations" / "0002_v1_1_0.sql").read_text()
    assert "-- DROPS tables.brouillons (1 fields) and every record in them" in migration
    assert "-- DROPS tables.produits.fields.remarque (text) and every value it holds" in migration


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            changed(clients={"email": {"display_name": "Email", "field_type": "DATE"}}),
            "tables.clients.fields.email: type changed: no safe conversion from varchar(254) "
            "to date; add a new field and copy the data yourself",
        ),
        (
            {**changed(), "project": {**changed()["project"], "id": str(uuid.uuid4())}},
            "project.id: project id changed: the project id is part of every API address",
        ),
    ],
    ids=["unsafe-cast", "project-id"],
)
def test_changes_the_database_cannot_make_are_refused_even_forced(
    tmp_path: Path, repo: Path, spec: dict[str, Any], message: str
) -> None:
    before = tree_digest(repo)
    with pytest.raises(PlanError, match=re.escape(message)):
        generate_version(tmp_path, spec, repo, force=True)
    assert tree_digest(repo) == before


def test_a_rename_onto_a_name_in_use_is_refused(tmp_path: Path, repo: Path) -> None:
    spec = changed(
        clients={
            "nom": None,
            "email": {"id": "nom", "display_name": "Nom", "field_type": "TEXT_SHORT"},
        }
    )
    before = tree_digest(repo)
    with pytest.raises(
        PlanError, match="tables.clients.fields.email: field renamed: from nom onto"
    ):
        generate_version(tmp_path, spec, repo, force=True)
    assert tree_digest(repo) == before


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            changed(
                clients={"email": {**V1["tables"]["clients"]["fields"]["email"], "is_unique": True}}
            ),
            "tables.clients.fields.email: unique now, but several records hold each of these "
            "values (regardless of case): 'twin@example.com'",
        ),
        (
            changed(
                clients={
                    "telephone": {"display_name": "Tél", "field_type": "PHONE", "is_required": True}
                }
            ),
            "tables.clients.fields.telephone: required now, but records have no value (ids); "
            "give the field a default_value or fill them first: 1, 2",
        ),
        (
            changed(
                clients={
                    "nom": {
                        "display_name": "Nom",
                        "field_type": "TEXT_SHORT",
                        "is_required": True,
                        "validation": {"max_length": 5},
                    }
                }
            ),
            "tables.clients.fields.nom: records hold values longer than 5 characters (ids); "
            "change them first: 1, 2",
        ),
        (
            changed(
                produits={
                    "statut": {**V1["tables"]["produits"]["fields"]["statut"], "choices": ["actif"]}
                }
            ),
            "tables.produits.fields.statut: records hold values that are no longer choices: "
            "'retire'",
        ),
        (
            changed(
                clients={
                    "vip": {"display_name": "VIP", "field_type": "BOOLEAN", "is_required": True}
                }
            ),
            "tables.clients.fields.vip: required without a default_value, but the table has "
            "records (ids); give the field a default_value: 1, 2",
        ),
    ],
    ids=["duplicates", "nulls", "too-long", "removed-choice", "required-added"],
)
def test_a_migration_the_data_does_not_allow_stops_and_changes_nothing(
    tmp_path: Path, repo: Path, pg_server: str, spec: dict[str, Any], message: str
) -> None:
    database = fresh_database(pg_server)
    with serving(repo, database) as app:
        api = Api(app)
        twins = [  # the same address, as far as email goes
            api.create("clients", {"nom": "Twin One", "email": "twin@example.com"}),
            api.create("clients", {"nom": "Twin Two", "email": "Twin@Example.com"}),
        ]
        api.create("produits", {"reference": "R", "statut": "retire"})
    shape = database_shape(database)
    generate_version(tmp_path, spec, repo)
    stopped = migrate(repo, database)
    assert stopped.returncode == 1
    assert stopped.stderr.strip() == f"migration failed: 0002_v1_0_1.sql: {message}"
    assert database_shape(database) == shape
    assert applied_migrations(database) == ["0001_initial"]
    assert [twin["id"] for twin in twins] == [1, 2]


def test_the_fix_after_a_stopped_migration(tmp_path: Path, repo: Path, pg_server: str) -> None:
    """Fixing the data lets the stopped migration through on the next run."""
    database = fresh_database(pg_server)
    with serving(repo, database) as app:
        api = Api(app)
        api.create("clients", {"nom": "Twin One", "email": "twin@example.com"})
        second = api.create("clients", {"nom": "Twin Two", "email": "twin@example.com"})
    email = {**V1["tables"]["clients"]["fields"]["email"], "is_unique": True}
    generate_version(tmp_path, changed(clients={"email": email}), repo)
    assert migrate(repo, database).returncode == 1
    with psycopg.connect(database, autocommit=True) as connection:
        connection.execute(
            "UPDATE clients SET email = 'other@example.com' WHERE id = %s", (second["id"],)
        )
    done = migrate(repo, database)
    assert done.returncode == 0, done.stderr
    assert applied_migrations(database) == ["0001_initial", "0002_v1_0_1"]
