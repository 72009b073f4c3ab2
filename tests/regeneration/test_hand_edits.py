"""Hand edits survive regeneration: the owner's hooks are never touched, edits of
generated files are merged in, and an edit that conflicts is refused, writing nothing."""

from __future__ import annotations

import copy
import subprocess
from pathlib import Path, PurePosixPath
from typing import Any

import httpx
import pytest

from generator.errors import WriteError
from tests.conftest import fresh_database
from tests.regeneration.helpers import Api, generate_version, serving, tree_digest
from tests.regeneration.versions import V1, V2

HOOK = "app/hooks/clients.py"
ROUTES = "app/api/routes/clients.py"
CUSTOM_ROUTE = '''

@router.get("/-/ping/", include_in_schema=False)
async def ping_clients() -> dict[str, str]:
    """Added by hand: kept across regenerations."""
    return {"ping": "clients"}
'''


def with_ville(version: str = "1.0.1", **nom: Any) -> dict[str, Any]:
    """V1 plus a `ville` field on clients (and `nom` settings changed, if given)."""
    spec = copy.deepcopy(V1)
    spec["project"]["version"] = version
    fields = spec["tables"]["clients"]["fields"]
    fields["ville"] = {"display_name": "Ville", "field_type": "TEXT_SHORT"}
    fields["nom"].update(nom)
    return spec


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_the_owners_hooks_and_merged_edits_survive_and_run(
    tmp_path: Path, repo: Path, pg_server: str
) -> None:
    edit(
        repo / HOOK,
        "    return data\n",
        '    return data.model_copy(update={"nom": data.nom.upper()})\n',
    )
    hook = (repo / HOOK).read_text()
    with (repo / ROUTES).open("a") as routes:
        routes.write(CUSTOM_ROUTE)

    result = generate_version(tmp_path, with_ville(), repo, git=True)

    assert (repo / HOOK).read_text() == hook  # the owner's file, untouched
    assert result.outcome.merged == (PurePosixPath(ROUTES),)
    routes_text = (repo / ROUTES).read_text()
    assert routes_text.endswith(CUSTOM_ROUTE)
    assert "(sha256 " + result.spec_sha256[:12] in routes_text  # the new generated header
    with serving(repo, fresh_database(pg_server)) as app:
        created = Api(app).create("clients", {"nom": "Ada Lovelace", "ville": "Londres"})
        assert (created["nom"], created["ville"]) == ("ADA LOVELACE", "Londres")
        ping = httpx.get(f"{app.api}tables/clients/-/ping/")
        assert ping.json() == {"ping": "clients"}

    log = subprocess.run(
        ["git", "log", "--format=%B", "-1"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout
    assert log.startswith("Regenerate boutique: 1.0.0 -> 1.0.1, 1 change (nocode ")
    assert "additive     field added: tables.clients.fields.ville (varchar(255), nullable)" in log
    assert "Migration: migrations/0002_v1_0_1.sql" in log
    assert f"Hand edits merged into: {ROUTES}" in log
    commits = subprocess.run(
        ["git", "rev-list", "--count", "HEAD"], cwd=repo, capture_output=True, text=True
    ).stdout
    assert commits.strip() == "2"


def test_an_edit_that_conflicts_with_the_new_output_is_refused(tmp_path: Path, repo: Path) -> None:
    models = repo / "app/models/clients.py"
    edit(models, "max_length=100", "max_length=90")
    before = tree_digest(repo)
    with pytest.raises(WriteError) as refused:
        generate_version(tmp_path, with_ville(validation={"max_length": 150}), repo)
    assert "regeneration refused, nothing was written" in str(refused.value)
    assert "app/models/clients.py: edited by hand, and the edit conflicts" in str(refused.value)
    assert tree_digest(repo) == before


def test_an_edited_file_that_is_no_longer_generated_is_refused(tmp_path: Path, repo: Path) -> None:
    with (repo / "app/api/routes/brouillons.py").open("a") as routes:
        routes.write("# kept by hand\n")
    before = tree_digest(repo)
    with pytest.raises(WriteError, match="app/api/routes/brouillons.py: edited by hand and no"):
        generate_version(tmp_path, V2, repo, force=True)
    assert tree_digest(repo) == before


def test_files_of_a_dropped_table_go_unless_the_owner_edited_them(
    tmp_path: Path, repo: Path
) -> None:
    edit(repo / HOOK, '"""Runs before a record is deleted."""', "raise ValueError('kept')")
    result = generate_version(tmp_path, V2, repo, force=True)  # brouillons dropped
    assert not (repo / "app/api/routes/brouillons.py").exists()
    assert not (repo / ".nocode/base/app/api/routes/brouillons.py").exists()
    assert not (repo / "app/hooks/brouillons.py").exists()  # created by nocode, unedited
    # clients became acheteurs: its edited hooks stay, with a notice, beside the new ones.
    assert "raise ValueError('kept')" in (repo / HOOK).read_text()
    assert result.outcome.notices == (
        f"{HOOK}: no longer called (its table was renamed or dropped); move your code to the "
        "new table's hooks module, then delete it",
    )
    assert (repo / "app/hooks/acheteurs.py").exists()
