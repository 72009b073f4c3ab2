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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator.generate import build  # noqa: E402
from generator.spec import ProjectSpec  # noqa: E402
from generator.write import write_tree  # noqa: E402
from tests.generator.large_spec import large_spec  # noqa: E402


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
