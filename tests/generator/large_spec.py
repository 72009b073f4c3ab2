"""A spec at the seed limits (100 tables x 50 fields by default), for the tests and the
benchmarks (bench/generation.py, bench/openapi_schema.py) alike."""

from __future__ import annotations

import uuid
from typing import Any

from generator.spec import ProjectSpec, parse_spec

_CYCLE: list[dict[str, Any]] = [
    {"field_type": "TEXT_SHORT", "validation": {"max_length": 120}},
    {"field_type": "TEXT_LONG"},
    {"field_type": "EMAIL"},
    {"field_type": "PHONE"},
    {"field_type": "URL"},
    {"field_type": "INTEGER", "validation": {"min_value": 0}},
    {"field_type": "DECIMAL", "validation": {"max_digits": 12, "decimal_places": 2}},
    {"field_type": "BOOLEAN", "default_value": False},
    {"field_type": "DATE"},
    {"field_type": "DATETIME"},
    {"field_type": "UUID"},
    {"field_type": "JSON"},
    {"field_type": "ENUM", "choices": ["a", "b", "c"]},
]


def large_spec(tables: int = 100, fields: int = 50) -> ProjectSpec:
    """A spec at the seed limits: every field type, and a relation to the previous table."""
    document: dict[str, Any] = {
        "spec_version": 1,
        "project": {"id": str(uuid.UUID(int=1)), "name": "Large", "slug": "large"},
        "tables": {},
    }
    for t in range(tables):
        columns: dict[str, Any] = {}
        for f in range(fields):
            kind = dict(_CYCLE[f % len(_CYCLE)])
            columns[f"f{f}"] = {"display_name": f"Field {f}", "is_required": f % 3 == 0, **kind}
        if t:
            columns[f"f{fields - 1}"] = {
                "display_name": "Previous",
                "field_type": "RELATION",
                "relation": {"table": f"t{t - 1}", "on_delete": "CASCADE"},
            }
        document["tables"][f"t{t}"] = {"display_name": f"Table {t}", "fields": columns}
    return parse_spec(document)
