"""Loading and checking specs: every problem located by its path, all reported at once."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from generator.errors import SpecError
from generator.resources import specs_dir
from generator.spec import load_spec, parse_spec
from generator.spec.load import parse_document

MINIMAL: dict[str, Any] = {
    "spec_version": 1,
    "project": {"id": "550e8400-e29b-41d4-a716-446655440000", "name": "P", "slug": "p"},
    "tables": {
        "notes": {
            "display_name": "Notes",
            "fields": {"titre": {"display_name": "Titre", "field_type": "TEXT_SHORT"}},
        }
    },
}


def spec_with(**changes: Any) -> dict[str, Any]:
    """MINIMAL with dotted-path changes: spec_with(**{"tables.notes.icon": "x"})."""
    document = copy.deepcopy(MINIMAL)
    for path, value in changes.items():
        *parents, last = path.split(".")
        node = document
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
    return document


def issues_of(document: Any) -> list[str]:
    with pytest.raises(SpecError) as raised:
        parse_spec(document)
    return [str(issue) for issue in raised.value.issues]


def test_the_example_specs_load() -> None:
    crm = load_spec(specs_dir() / "gestion_client.yaml")
    assert list(crm.tables) == ["clients", "produits", "commandes"]
    assert crm.tables["clients"].fields["email"].is_unique
    assert load_spec(specs_dir() / "inventaire.yaml").tables


def test_every_problem_is_reported_with_its_path() -> None:
    document = spec_with(
        **{
            "project.slug": "select",
            "tables.notes.fields.email": {
                "display_name": "Email",
                "field_type": "EMAIL",
                "validation": {"pattern": "[a", "min_value": 3, "min_length": 5, "max_length": 2},
                "is_requird": True,
            },
            "tables.notes.fields.client": {
                "display_name": "Client",
                "field_type": "RELATION",
                "relation": {"table": "clients"},
            },
        }
    )
    assert issues_of(document) == [
        "project.slug: 'select' is reserved: it is an SQL keyword",
        "tables.notes.fields.email.is_requird: unknown key",
    ]
    del document["tables"]["notes"]["fields"]["email"]["is_requird"]
    document["project"]["slug"] = "p"
    assert issues_of(document) == [
        "tables.notes.fields.client.relation.table: no table named 'clients'",
        "tables.notes.fields.email.validation.min_length: is greater than max_length",
        "tables.notes.fields.email.validation.min_value: does not apply to EMAIL fields",
        "tables.notes.fields.email.validation.pattern: not a valid regular expression: "
        "unterminated character set at position 0",
    ]


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("select", "an SQL keyword"),
        ("class", "a Python keyword"),
        ("model_config", "an attribute of pydantic models"),
        ("list", "a type name used by the generated code"),
        ("pg_stat", "belong to PostgreSQL"),
        ("a__b", "not a valid name"),
        ("Titre", "not a valid name"),
        ("x" * 31, "too long"),
        ('nom"; DROP TABLE notes; --', "not a valid name"),
    ],
)
def test_identifiers_are_strict(name: str, reason: str) -> None:
    field = {"display_name": "X", "field_type": "TEXT_SHORT"}
    (issue,) = issues_of(spec_with(**{"tables.notes.fields": {name: field}}))
    assert issue.startswith(f"tables.notes.fields.{name}: ") and reason in issue


def test_system_columns_and_tables_are_reserved() -> None:
    field = {"display_name": "X", "field_type": "TEXT_SHORT"}
    assert issues_of(spec_with(**{"tables.notes.fields.created_at": field})) == [
        "tables.notes.fields.created_at: 'created_at' is a column every table already has"
    ]
    table = copy.deepcopy(MINIMAL["tables"]["notes"])
    for reserved in ("schema_migrations", "nocode_events"):
        (issue,) = issues_of(spec_with(**{f"tables.{reserved}": table}))
        assert issue.startswith(f"tables.{reserved}: ")


def test_seed_limits() -> None:
    table = MINIMAL["tables"]["notes"]
    many_tables = {f"t{n}": copy.deepcopy(table) for n in range(101)}
    assert issues_of(spec_with(tables=many_tables)) == [
        "tables: at most 100 tables per project, found 101"
    ]
    field = {"display_name": "X", "field_type": "INTEGER"}
    many_fields = {f"f{n}": dict(field) for n in range(51)}
    assert issues_of(spec_with(**{"tables.notes.fields": many_fields})) == [
        "tables.notes.fields: at most 50 fields per table, found 51"
    ]


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        (
            {"field_type": "ENUM"},
            "tables.notes.fields.f.choices: an ENUM field needs a list of choices",
        ),
        (
            {"field_type": "INTEGER", "default_value": "abc"},
            "tables.notes.fields.f.default_value: Input should be a valid integer",
        ),
        (
            {"field_type": "TEXT_SHORT", "validation": {"pattern": "(?<=a)b"}},
            "tables.notes.fields.f.validation.pattern: not a regular expression the app can run",
        ),
        (
            {"field_type": "TEXT_SHORT", "validation": {"pattern": "^a+$"}, "example": "b"},
            "tables.notes.fields.f.example: String should match pattern",
        ),
        (
            {
                "field_type": "RELATION",
                "relation": {"table": "notes", "on_delete": "SET_NULL"},
                "is_required": True,
            },
            "tables.notes.fields.f.relation.on_delete: SET_NULL cannot apply to a required field",
        ),
        (
            {"field_type": "TEXT_SHORT", "is_readonly": True, "is_required": True},
            "tables.notes.fields.f.is_readonly: a read-only required field needs a default_value",
        ),
        (
            {"field_type": "DECIMAL", "validation": {"max_digits": 4, "decimal_places": 5}},
            "tables.notes.fields.f.validation.decimal_places: is greater than max_digits",
        ),
        (
            {"field_type": "TEXT_SHORT", "display_name": "line\nbreak"},
            "tables.notes.fields.f.display_name: String should match pattern",
        ),
    ],
)
def test_field_checks(field: dict[str, Any], expected: str) -> None:
    issues = issues_of(spec_with(**{"tables.notes.fields.f": {"display_name": "F", **field}}))
    assert any(issue.startswith(expected) for issue in issues), issues


def test_permissions_can_only_narrow_the_seed_defaults() -> None:
    widened = spec_with(**{"tables.notes.permissions": {"CLIENT": ["read", "create"]}})
    (issue,) = issues_of(widened)
    assert issue.startswith("tables.notes.permissions.CLIENT: a spec can only narrow")
    assert "create, read" in issue
    public = spec_with(**{"tables.notes.permissions": {"public": True, "CLIENT": ["read"]}})
    assert parse_spec(public).tables["notes"].permissions.public


def test_required_relations_cannot_loop() -> None:
    a_to_b = {
        "display_name": "B",
        "field_type": "RELATION",
        "is_required": True,
        "relation": {"table": "b"},
    }
    b_to_a = {
        "display_name": "A",
        "field_type": "RELATION",
        "is_required": True,
        "relation": {"table": "a"},
    }
    tables = {
        "a": {"display_name": "A", "fields": {"b_id": a_to_b}},
        "b": {"display_name": "B", "fields": {"a_id": b_to_a}},
    }
    (issue,) = issues_of(spec_with(tables=tables))
    assert issue == (
        "tables.a: required relations form a cycle (a -> b -> a): no record could ever be inserted"
    )


def test_documents_that_are_not_specs() -> None:
    with pytest.raises(SpecError, match="not valid YAML"):
        parse_document("tables: [unclosed", ".yaml")
    with pytest.raises(SpecError, match="not valid JSON"):
        parse_document("{", ".json")
    with pytest.raises(SpecError, match="must be a mapping"):
        parse_spec(["a list"])


def test_derived_names_cannot_collide_across_tables() -> None:
    from generator.appmodel import build_project

    text = {"display_name": "X", "field_type": "TEXT_SHORT"}
    document = spec_with(
        tables={
            "a": {"display_name": "A", "fields": {"b_c": text}},
            "a_b": {"display_name": "AB", "fields": {"c": text}},
        }
    )
    indexes = [
        index.name
        for table in build_project(parse_spec(document)).tables
        for index in table.indexes
    ]
    assert len(indexes) == len(set(indexes))


def test_the_app_checks_formats_with_the_generator_patterns() -> None:
    from generator.resources import templates_dir
    from generator.spec.values import EMAIL_PATTERN, URL_PATTERN, UUID_PATTERN

    base = (templates_dir() / "app/{{cookiecutter.project_slug}}/app/models/base.py").read_text()
    for name, pattern in (("EMAIL", EMAIL_PATTERN), ("URL", URL_PATTERN), ("UUID", UUID_PATTERN)):
        assert f'{name}_PATTERN = r"{pattern}"' in base


def test_the_cookiecutter_defaults_name_this_generator_version() -> None:
    import json

    from generator.resources import templates_dir
    from generator.version import GENERATOR_VERSION

    defaults = json.loads((templates_dir() / "app/cookiecutter.json").read_text())
    assert defaults["generator_version"] == GENERATOR_VERSION
