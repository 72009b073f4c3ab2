"""Spec changes of every kind become a migration that keeps the records: checked through
the API of the app on a real PostgreSQL, version after version and from v1 straight to v3,
and against the schema a fresh generation of the last version creates."""

from __future__ import annotations

import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from generator.generate import generate
from tests.conftest import app_environment, fresh_database
from tests.regeneration.helpers import (
    Api,
    applied_migrations,
    database_shape,
    generate_version,
    serving,
)
from tests.regeneration.versions import V1, V2, V3, write_spec


def fill_v1(api: Api) -> dict[str, dict]:
    return {
        "ada": api.create(
            "clients", {"nom": "Ada Lovelace", "email": "ada@example.com", "age": 36, "notes": "n"}
        ),
        "alan": api.create("clients", {"nom": "Alan Turing", "telephone": "+441234567"}),
        "clavier": api.create(
            "produits", {"reference": "R1", "prix": 12.5, "stock": 3, "remarque": "r"}
        ),
        "brouillon": api.create("brouillons", {"texte": "t"}),
    }


def test_every_kind_of_change_keeps_the_records(tmp_path: Path, pg_server: str) -> None:
    repo = tmp_path / "app"
    generate_version(tmp_path, V1, repo)
    v1_copy = tmp_path / "app_v1"
    shutil.copytree(repo, v1_copy)
    database = fresh_database(pg_server)
    with serving(repo, database) as app:
        records = fill_v1(Api(app))
    ada, alan, clavier = records["ada"], records["alan"], records["clavier"]

    result = generate_version(tmp_path, V2, repo, force=True)
    assert result.outcome.migration is not None
    assert result.outcome.migration.name == "0002_v1_1_0.sql"
    with serving(repo, database) as app:
        api = Api(app)
        renamed = api.get("acheteurs", ada["id"])  # table renamed, field renamed
        assert renamed["nom_complet"] == "Ada Lovelace"
        assert renamed["email"] == "ada@example.com"
        assert Decimal(renamed["age"]) == 36  # integer -> decimal
        assert renamed["notes"] == "n"  # a new default does not touch existing values
        assert renamed["telephone"] == "inconnu"  # made required: NULL took the default
        assert renamed["ville"] is None  # field added
        assert renamed["created_at"] == ada["created_at"]
        assert api.get("acheteurs", alan["id"])["telephone"] == "+441234567"
        produit = api.get("produits", clavier["id"])
        assert "remarque" not in produit  # field dropped
        assert (produit["statut"], produit["client"]) == ("actif", None)
        assert api.count("acheteurs") == 2  # the change counter followed the rename
        # The new constraints hold for new writes.
        api.create("acheteurs", {"nom_complet": "Grace", "email": "ada@example.com"}, 409)
        grace = api.create("acheteurs", {"nom_complet": "Grace Hopper"})
        assert (grace["telephone"], grace["notes"]) == ("inconnu", "aucune")
        api.patch("produits", clavier["id"], {"client": ada["id"], "statut": "rupture"})
        api.patch("produits", clavier["id"], {"client": 999_999}, 400)
        api.create("avis", {"produit": clavier["id"], "note": 5})  # table added
        assert api.count("acheteurs") == 3

    result = generate_version(tmp_path, V3, repo, force=True)
    assert result.outcome.migration is not None
    assert result.outcome.migration.name == "0003_v1_2_0.sql"
    with serving(repo, database) as app:
        api = Api(app)
        ada_now = api.get("acheteurs", ada["id"])
        assert ada_now["nom_complet"] == "Ada Lovelace"  # narrowed to 120: still fits
        produit = api.get("produits", clavier["id"])
        assert (produit["stock"], produit["statut"]) == ("3", "rupture")  # integer -> text
        assert "client" not in produit  # relation dropped
        api.create("acheteurs", {"email": "ada@example.com"})  # optional, no longer unique
        api.create("produits", {"reference": "R1"}, 409)  # unique added
        assert api.count("avis") == 1
    assert applied_migrations(database) == ["0001_initial", "0002_v1_1_0", "0003_v1_2_0"]

    # A v1 database migrates straight to v3, its records carried through both steps.
    straight = fresh_database(pg_server)
    with serving(v1_copy, straight) as app:
        fill_v1(Api(app))
    with serving(repo, straight) as app:
        api = Api(app)
        assert api.get("acheteurs", ada["id"])["telephone"] == "inconnu"
        assert api.get("produits", clavier["id"])["stock"] == "3"

    # Migrated databases have exactly the schema a fresh generation of v3 creates.
    fresh_repo = tmp_path / "fresh"
    generate(write_spec(tmp_path, V3, "fresh.yaml"), fresh_repo)
    fresh = fresh_database(pg_server)
    with serving(fresh_repo, fresh):
        pass
    assert database_shape(database) == database_shape(fresh)
    assert database_shape(straight) == database_shape(fresh)


def test_migrating_again_applies_nothing(tmp_path: Path, pg_server: str) -> None:
    repo = tmp_path / "app"
    generate_version(tmp_path, V1, repo)
    generate_version(tmp_path, V2, repo, force=True)
    database = fresh_database(pg_server)
    migrate = [sys.executable, "-m", "app", "migrate"]
    env = app_environment(database)
    first = subprocess.run(migrate, cwd=repo, env=env, capture_output=True, text=True, check=True)
    assert "applied 2 migration(s): 0001_initial, 0002_v1_1_0" in first.stdout
    again = subprocess.run(migrate, cwd=repo, env=env, capture_output=True, text=True, check=True)
    assert "applied 0 migration(s)" in again.stdout
