"""Every type change regeneration accepts converts the stored values on a real PostgreSQL,
checked through the API: one field per conversion, in one migration."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from tests.conftest import fresh_database
from tests.regeneration.helpers import Api, generate_version, serving

PROJECT = {"id": "7a0c6a52-52a8-4a8e-8f0b-0d5a3b1f9c21", "name": "Types", "slug": "types"}

# field: (type before, value written, type after, extra settings after, value read after)
CONVERSIONS: dict[str, tuple[str, Any, str, dict[str, Any], Any]] = {
    "int_to_decimal": ("INTEGER", 42, "DECIMAL", {}, Decimal(42)),
    "int_to_narrow_decimal": (
        "INTEGER",
        42,
        "DECIMAL",
        {"validation": {"max_digits": 8, "decimal_places": 2}},
        Decimal("42.00"),
    ),
    "int_to_text": ("INTEGER", 42, "TEXT_LONG", {}, "42"),
    "decimal_to_text": ("DECIMAL", 3.14, "TEXT_SHORT", {}, "3.14"),
    "bool_to_text": ("BOOLEAN", True, "TEXT_SHORT", {}, "true"),
    "date_to_datetime": ("DATE", "2024-05-01", "DATETIME", {}, "2024-05-01T00:00:00"),
    "date_to_text": ("DATE", "2024-05-01", "TEXT_LONG", {}, "2024-05-01"),
    "uuid_to_text": (
        "UUID",
        "6f1d2c3b-0000-4000-8000-000000000001",
        "TEXT_SHORT",
        {},
        "6f1d2c3b-0000-4000-8000-000000000001",
    ),
    "json_to_text": ("JSON", {"a": 1}, "TEXT_LONG", {}, '{"a": 1}'),
    "long_to_short": (
        "TEXT_LONG",
        "court",
        "TEXT_SHORT",
        {"validation": {"max_length": 10}},
        "court",
    ),
    "short_to_long": ("TEXT_SHORT", "texte", "TEXT_LONG", {}, "texte"),
    "email_to_text": ("EMAIL", "a@example.com", "TEXT_SHORT", {}, "a@example.com"),
}


def spec(version: str, after: bool) -> dict[str, Any]:
    fields = {}
    for name, (before_type, _, after_type, settings, _) in CONVERSIONS.items():
        field = {"display_name": name, "field_type": after_type if after else before_type}
        fields[name] = {**field, **settings} if after else field
    fields["etat"] = (
        {"display_name": "État", "field_type": "TEXT_SHORT"}
        if after
        else {"display_name": "État", "field_type": "ENUM", "choices": ["neuf", "usé"]}
    )
    return {
        "spec_version": 1,
        "project": {**PROJECT, "version": version},
        "tables": {"valeurs": {"display_name": "Valeurs", "fields": fields}},
    }


def test_each_accepted_type_change_converts_the_values(tmp_path: Path, pg_server: str) -> None:
    repo = tmp_path / "app"
    generate_version(tmp_path, spec("1.0.0", after=False), repo)
    database = fresh_database(pg_server)
    written = {name: conversion[1] for name, conversion in CONVERSIONS.items()}
    with serving(repo, database) as app:
        record = Api(app).create("valeurs", {**written, "etat": "usé"})
    result = generate_version(tmp_path, spec("1.1.0", after=True), repo)
    assert result.outcome.migration is not None
    with serving(repo, database) as app:
        api = Api(app)
        converted = api.get("valeurs", record["id"])
        for name, (_, _, _, _, expected) in CONVERSIONS.items():
            value = converted[name]
            if isinstance(expected, Decimal):
                assert Decimal(value) == expected, name
            elif name == "date_to_datetime":
                assert value.startswith(expected), name
            else:
                assert value == expected, name
        assert converted["etat"] == "usé"  # ENUM -> text: the choices check is gone
        api.create("valeurs", {"etat": "autre"})
