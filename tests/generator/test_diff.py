"""The spec diff: changes matched by stable ids, classed, and printed stably."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.changes import Change, Safety, plan_changes
from generator.spec import parse_spec
from tests.conftest import CRM_SPEC
from tests.generator.test_spec import MINIMAL
from tests.regeneration.versions import V1, V2, V3
from tests.test_cli import nocode

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "diff"


def diff_specs(old: dict[str, Any], new: dict[str, Any]) -> tuple[Change, ...]:
    return plan_changes(parse_spec(old), parse_spec(new)).changes


def changes_between(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(change.safety.value, change.kind, change.path) for change in diff_specs(old, new)]


def notes(**fields: Any) -> dict[str, Any]:
    document = copy.deepcopy(MINIMAL)
    document["tables"]["notes"]["fields"] = fields
    return document


TITLE = {"id": "f-title", "display_name": "Titre", "field_type": "TEXT_SHORT"}
RANK = {"display_name": "Rang", "field_type": "INTEGER"}
SORTED_RANK = {**RANK, "list_config": {"sortable": True}}


def test_the_plan_printed_by_nocode_diff_is_stable(tmp_path: Path) -> None:
    assert nocode("generate", str(CRM_SPEC), "--out", str(tmp_path / "app")).returncode == 0
    result = nocode("diff", str(GOLDEN / "gestion_client_v2.yaml"), str(tmp_path / "app"))
    assert result.returncode == 0, result.stderr
    assert result.stdout == (GOLDEN / "gestion_client_v2.expected.txt").read_text()
    assert sorted(path.name for path in (tmp_path / "app" / "migrations").iterdir()) == [
        "0001_initial.sql",
        "README.md",
    ]


def test_the_migration_regenerating_would_write_is_stable(tmp_path: Path) -> None:
    """The SQL is reviewed like code: a change to it shows in the golden file's diff."""
    assert nocode("generate", str(CRM_SPEC), "--out", str(tmp_path / "app")).returncode == 0
    result = nocode("diff", "--sql", str(GOLDEN / "gestion_client_v2.yaml"), str(tmp_path / "app"))
    assert result.returncode == 0, result.stderr
    plan = (GOLDEN / "gestion_client_v2.expected.txt").read_text()
    sql = (GOLDEN / "gestion_client_v2.expected.sql").read_text()
    assert result.stdout == plan + "\n" + sql.replace("Migration 0002_v1_1_0:", "Migration next:")


def test_a_kept_id_makes_a_rename_and_a_new_id_a_drop_and_an_add() -> None:
    renamed = changes_between(notes(titre=TITLE), notes(intitule=TITLE))
    assert renamed == [("locking", "field renamed", "tables.notes.fields.intitule")]
    replaced = changes_between(notes(titre=TITLE), notes(intitule={**TITLE, "id": "f-other"}))
    assert replaced == [
        ("additive", "field added", "tables.notes.fields.intitule"),
        ("destructive", "field dropped", "tables.notes.fields.titre"),
    ]


def test_tables_added_renamed_and_dropped() -> None:
    old = notes(titre=TITLE)
    new = copy.deepcopy(old)
    new["tables"]["carnets"] = new["tables"].pop("notes") | {"id": "notes"}
    new["tables"]["tags"] = {"display_name": "Tags", "fields": {"nom": TITLE}}
    assert changes_between(old, new) == [
        ("locking", "table renamed", "tables.carnets"),
        ("additive", "table added", "tables.tags"),
    ]
    assert changes_between(new, old)[-1] == ("destructive", "table dropped", "tables.tags")


def test_type_changes_convert_or_are_refused() -> None:
    wider = notes(titre={**TITLE, "field_type": "TEXT_LONG"})
    assert diff_specs(notes(titre=TITLE), wider)[0].safety == Safety.ADDITIVE
    (to_number,) = diff_specs(notes(titre=TITLE), notes(titre={**TITLE, "field_type": "INTEGER"}))
    assert (
        to_number.refusal and "no safe conversion from varchar(255) to bigint" in to_number.refusal
    )
    to_text, search = diff_specs(
        notes(titre={**TITLE, "field_type": "INTEGER"}), notes(titre=TITLE)
    )
    assert to_text.safety == Safety.LOCKING and to_text.refusal is None
    assert (search.kind, search.path) == ("index added", "tables.notes.fields.titre")


def test_app_only_settings_are_additive() -> None:
    changed = {**TITLE, "display_name": "Intitulé", "validation": {"pattern": "^a"}}
    assert changes_between(notes(titre=TITLE), notes(titre=changed)) == [
        ("additive", "field settings changed", "tables.notes.fields.titre")
    ]
    assert changes_between(notes(titre=TITLE), notes(titre=TITLE)) == []


def test_indexes_the_generator_derives_are_in_the_plan_beside_their_sql(tmp_path: Path) -> None:
    """A type or list_config change adds or drops an index the spec does not declare: the
    plan says so, as the migration does it."""
    old = notes(titre=TITLE, rang=RANK)
    new = notes(titre={**TITLE, "field_type": "TEXT_LONG"}, rang=SORTED_RANK)
    for name, document in (("old", old), ("new", new)):
        (tmp_path / f"{name}.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
    app = str(tmp_path / "app")
    assert nocode("generate", str(tmp_path / "old.yaml"), "--out", app).returncode == 0
    result = nocode("diff", "--sql", str(tmp_path / "new.yaml"), app)
    assert result.returncode == 0, result.stderr
    plan = result.stdout.split("\n\n")[0].splitlines()
    assert plan[1:] == [
        "additive     type changed: tables.notes.fields.titre (varchar(255) -> text: no rewrite)",
        "additive     index dropped: tables.notes.fields.titre (trigram index for search, no "
        "data lost)",
        "additive     index added: tables.notes.fields.rang (index for sorting and filters, built "
        "concurrently)",
    ]
    assert "\nDROP INDEX notes__titre_trgm_idx;\n" in result.stdout
    assert "\nCREATE INDEX CONCURRENTLY IF NOT EXISTS notes__rang_idx ON notes (rang);\n" in (
        result.stdout
    )


def test_a_unique_field_becoming_an_email_is_compared_without_case_from_then_on() -> None:
    unique = {**TITLE, "is_unique": True}
    email = {**unique, "field_type": "EMAIL"}
    made_email = changes_between(notes(titre=unique), notes(titre=email))
    assert ("additive", "unique made case-insensitive", "tables.notes.fields.titre") in made_email
    made_text = changes_between(notes(titre=email), notes(titre=unique))
    assert ("additive", "unique made case-sensitive", "tables.notes.fields.titre") in made_text


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (V1, V2),
        (V2, V3),
        (V1, V3),
        (
            yaml.safe_load(CRM_SPEC.read_text(encoding="utf-8")),
            yaml.safe_load((GOLDEN / "gestion_client_v2.yaml").read_text(encoding="utf-8")),
        ),
        (
            notes(titre=TITLE, rang=RANK),
            notes(titre={**TITLE, "field_type": "TEXT_LONG"}, rang=SORTED_RANK),
        ),
    ],
    ids=["v1-v2", "v2-v3", "v1-v3", "gestion_client-v2", "derived-indexes"],
)
def test_every_statement_of_the_migration_carries_out_a_change_of_the_plan(
    old: dict[str, Any], new: dict[str, Any]
) -> None:
    """The SQL names the spec path of what it does: each path is a line of the plan."""
    change_set = plan_changes(parse_spec(old), parse_spec(new))
    planned = {change.path for change in change_set.changes}
    migration = change_set.migration
    for step in (*migration.transaction, *migration.concurrently):
        about = re.match(r"(?:DROPS )?(tables\.[\w.]+)", step.comment)
        if about is not None:
            assert about[1] in planned, step
