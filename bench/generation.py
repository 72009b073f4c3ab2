"""Generation speed: a 100-table x 50-field spec (the seed limits), generated and written.

    .venv/bin/python bench/generation.py [--tables 100] [--fields 50] [--runs 3]

Reports each run's total and the median time of each stage. Nothing is cached between
runs (ruff formats every file each time), so a regeneration costs what a first generation
does; the first run of the process also compiles the Jinja templates.
"""

from __future__ import annotations

import argparse
import os
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


def _generate(spec: ProjectSpec, stages: dict[str, list[float]]) -> float:
    """Seconds to build every file of `spec` and write them to a new folder; the time of
    each stage is appended to `stages` (build() reports when it starts each stage)."""
    marks = [("plan", time.perf_counter())]

    def mark(message: str) -> None:
        marks.append((message.split()[0], time.perf_counter()))

    generation = build(spec, progress=mark)
    mark("write")
    with tempfile.TemporaryDirectory() as folder:
        write_tree(Path(folder) / "app", generation.files)
    mark("end")
    for (stage, started), (_, ended) in zip(marks, marks[1:], strict=False):
        stages.setdefault(stage, []).append(ended - started)
    return marks[-1][1] - marks[0][1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tables", type=int, default=100)
    parser.add_argument("--fields", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    spec = large_spec(args.tables, args.fields)
    stages: dict[str, list[float]] = {}
    totals = [_generate(spec, stages) for _ in range(args.runs)]
    files = build(spec).files
    size = sum(len(text) for text in files.values())
    python = sum(len(text) for path, text in files.items() if path.suffix == ".py")
    print(
        f"{args.tables} tables x {args.fields} fields: {len(files)} files, {size / 1e6:.1f} MB "
        f"({python / 1e6:.1f} MB of Python); {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f}\n"
        f"  generation: median {_median(totals)}\n"
        "    stages (median): "
        + ", ".join(f"{stage} {statistics.median(times):.2f}s" for stage, times in stages.items())
    )


def _median(timings: list[float]) -> str:
    runs = ", ".join(f"{t:.2f}" for t in timings)
    return f"{statistics.median(timings):.2f}s (runs: {runs})"


if __name__ == "__main__":
    main()
