"""A deterministic corpus of varied valid specs, to hold the generated code and the
generated tests to every spec, not only the examples.

`drawn_spec(seed)` draws a spec from `random.Random(seed)`: every field type, with and
without defaults, required or not, unique, read-only, validation keys, relations with
every `on_delete`, narrowed permissions and declared indexes. `REGRESSIONS` is written by
hand: each of its tables once broke the generated code or tests. Every spec has a name, and the same
name always gives the same spec, so a failure names the spec that reproduces it::

    .venv/bin/python -m tests.generator.spec_corpus seed_7 > spec.yaml
"""

from __future__ import annotations

import random
import sys
import uuid
from typing import Any

import yaml

CORPUS_SIZE = 16
_ACTIONS = ["create", "read", "update", "delete"]
# A default, a tighter validation and (for texts) a pattern the samples match, per type.
_DEFAULTS: dict[str, list[Any]] = {
    "TEXT_SHORT": ["Draft", "n/a"],
    "TEXT_LONG": ["Nothing yet.", ""],
    "EMAIL": ["nobody@example.com"],
    "PHONE": ["+33100000000"],
    "URL": ["https://example.org/"],
    "INTEGER": [0, 7, -3],
    "DECIMAL": ["0.00", "12.50"],
    "BOOLEAN": [True, False],
    "DATE": ["2020-02-29"],
    "DATETIME": ["2020-02-29T12:00:00+00:00"],
    "UUID": ["00000000-0000-4000-8000-000000000000"],
    "JSON": [{"tags": []}, [1, 2], "text", 3],
}
_TYPES = [*_DEFAULTS, "ENUM", "RELATION"]
# The generated tests send a field's placeholder when it is a valid value.
_PLACEHOLDERS = {"TEXT_SHORT": "Jane", "EMAIL": "jane@example.com", "PHONE": "+33 6 12 34 56 78"}


def _validation(rng: random.Random, field_type: str, default: Any) -> dict[str, Any]:
    if field_type in ("TEXT_SHORT", "TEXT_LONG") and rng.random() < 0.6:
        rules: dict[str, Any] = {"max_length": rng.choice([8, 20, 255])}
        if rng.random() < 0.5:
            rules["min_length"] = rng.choice([0, 1, 3])
        if field_type == "TEXT_SHORT" and default is None and rng.random() < 0.4:
            rules["pattern"] = rng.choice([r"^[A-Za-z ]+$", r"^[a-z]+[0-9]*$", r"^S"])
        return rules
    if field_type == "INTEGER" and rng.random() < 0.6:
        low = rng.choice([-10, 0, 1, 5])
        return {"min_value": low, "max_value": low + rng.choice([1, 3, 1000])}
    if field_type == "DECIMAL" and rng.random() < 0.7:
        digits = rng.choice([3, 5, 12])
        rules = {"max_digits": digits, "decimal_places": rng.choice([0, 1, 2])}
        if rng.random() < 0.5:
            rules["min_value"] = rng.choice(["-5", "0", "2"])
        return rules
    return {}


def _default(rng: random.Random, field_type: str, choices: list[str] | None) -> Any:
    if choices:
        return rng.choice(choices)
    return rng.choice(_DEFAULTS[field_type])


def _fits(default: Any, rules: dict[str, Any]) -> bool:
    """Keep drawn defaults inside drawn validation, so the spec stays valid."""
    if isinstance(default, str) and "max_length" in rules:
        return rules.get("min_length", 0) <= len(default) <= rules["max_length"]
    if isinstance(default, int) and not isinstance(default, bool) and "min_value" in rules:
        return bool(rules["min_value"] <= default <= rules["max_value"])
    return True


def _field(rng: random.Random, field_type: str, table: str, earlier: list[str]) -> dict[str, Any]:
    field: dict[str, Any] = {
        "display_name": f"{field_type.title()} value",
        "field_type": field_type,
    }
    choices = None
    if field_type == "ENUM":
        choices = rng.choice([["low", "high"], ["draft", "sent", "paid"], ["only"]])
        field["choices"] = choices
    if field_type == "RELATION":
        target = rng.choice(earlier) if earlier and rng.random() < 0.7 else table
        on_delete = rng.choice(["CASCADE", "SET_NULL", "RESTRICT"])
        field["relation"] = {"table": target, "on_delete": on_delete}
        # a required relation to its own table could never be inserted first
        field["is_required"] = target != table and on_delete != "SET_NULL" and rng.random() < 0.5
        field["is_unique"] = rng.random() < 0.2
        field["is_readonly"] = not field["is_required"] and rng.random() < 0.3
        return field
    default = _default(rng, field_type, choices) if rng.random() < 0.5 else None
    rules = _validation(rng, field_type, default)
    if field_type == "DECIMAL" and default is not None:
        rules = {}  # a drawn precision could refuse the drawn default
    if default is not None and not _fits(default, rules):
        default = None
    if rules:
        field["validation"] = rules
    if default is not None:
        field["default_value"] = default
    field["is_required"] = rng.random() < 0.5
    field["is_unique"] = (
        default is None and field_type not in ("JSON", "TEXT_LONG") and rng.random() < 0.3
    )
    if default is not None and not field["is_unique"] and rng.random() < 0.3:
        field["is_readonly"] = True
    if rng.random() < 0.2:
        field["list_config"] = {"sortable": False, "filterable": rng.random() < 0.5}
    if rng.random() < 0.1:
        field["is_visible_in_list"] = False
    if field_type in _PLACEHOLDERS and not rules and rng.random() < 0.3:
        field["form_config"] = {"placeholder": _PLACEHOLDERS[field_type]}
    return field


def _permissions(rng: random.Random) -> dict[str, Any]:
    permissions: dict[str, Any] = {}
    if rng.random() < 0.3:
        permissions["public"] = True
        permissions["CLIENT"] = rng.choice([["read"], []])
    for role in ("MEMBER", "ADMIN"):
        if rng.random() < 0.3:
            permissions[role] = sorted(rng.sample(_ACTIONS, rng.randint(0, 4)), key=_ACTIONS.index)
    return permissions


def _table(rng: random.Random, name: str, earlier: list[str], types: list[str]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for position, field_type in enumerate(types):
        fields[f"{field_type.lower()}_{position}"] = _field(rng, field_type, name, earlier)
    table: dict[str, Any] = {"display_name": name.title(), "fields": fields}
    indexable = [n for n, f in fields.items() if f["field_type"] not in ("JSON", "RELATION")]
    if indexable and rng.random() < 0.4:
        columns = rng.sample(indexable, min(len(indexable), rng.choice([1, 2])))
        kind = rng.choice(["normal", "unique"]) if len(columns) == 2 else "normal"
        table["indexes"] = [{"name": f"{name}_lookup", "fields": columns, "type": kind}]
    permissions = _permissions(rng)
    if permissions:
        table["permissions"] = permissions
    return table


def drawn_spec(seed: int) -> dict[str, Any]:
    """The spec of `seed`: 1 to 3 tables, every type spread over them."""
    rng = random.Random(seed)
    types = _TYPES * rng.choice([1, 2])
    rng.shuffle(types)
    count = rng.randint(1, 3)
    tables: dict[str, Any] = {}
    for number in range(count):
        name = ["alpha", "beta", "gamma"][number]
        tables[name] = _table(rng, name, list(tables), types[number::count])
    project_id = uuid.UUID(int=rng.getrandbits(128), version=4)
    return _spec(f"seed_{seed}", tables, project_id)


def _spec(name: str, tables: dict[str, Any], project_id: uuid.UUID) -> dict[str, Any]:
    project = {"id": str(project_id), "name": f"Corpus {name}", "slug": name}
    return {"spec_version": 1, "project": project, "tables": tables}


def _text(**options: Any) -> dict[str, Any]:
    return {"display_name": "Text", "field_type": "TEXT_SHORT", **options}


def _relation(table: str) -> dict[str, Any]:
    return {"display_name": "Parent", "field_type": "RELATION", "relation": {"table": table}}


_ALPHA_CODES = {
    "display_name": "Alpha",
    "fields": {
        "code": _text(),
        "kind": {"display_name": "Kind", "field_type": "ENUM", "choices": ["a", "b"]},
    },
    "indexes": [{"name": "alpha_code_kind", "fields": ["code", "kind"], "type": "unique"}],
}
# One spec of tables written by hand, a table per failure the drawn specs found, so that
# their generated tests run in one repository (each run of a generated suite costs ~20 s).
REGRESSIONS: dict[str, dict[str, Any]] = {
    "regressions": {
        # The app fills a missing required field that has a default: the generated test of
        # a missing required field must pick one without.
        "defaults": {
            "display_name": "Defaults",
            "fields": {"status": _text(is_required=True, default_value="new"), "name": _text()},
        },
        "alpha": _ALPHA_CODES,
        # Children tests created a parent per payload, and the parent's unique index over
        # fields whose samples never change refused the second one.
        "beta": {
            "display_name": "Beta",
            "fields": {"alpha_id": {**_relation("alpha"), "is_required": True}},
        },
        # A read-only relation is not in the test payload: its factory was imported unused.
        "gamma": {
            "display_name": "Gamma",
            "fields": {"name": _text(), "alpha_id": {**_relation("alpha"), "is_readonly": True}},
        },
    },
}


def corpus() -> dict[str, dict[str, Any]]:
    """Every spec of the corpus, by name."""
    drawn = {f"seed_{seed}": drawn_spec(seed) for seed in range(CORPUS_SIZE)}
    written = {
        name: _spec(name, tables, uuid.uuid5(uuid.NAMESPACE_URL, name))
        for name, tables in REGRESSIONS.items()
    }
    return drawn | written


if __name__ == "__main__":
    yaml.safe_dump(corpus()[sys.argv[1]], sys.stdout, sort_keys=False)
