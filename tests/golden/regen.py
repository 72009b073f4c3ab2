"""Rewrite the golden copies after an intended change of the generated code:

    .venv/bin/python -m tests.golden.regen

Review the resulting diff like code: it is what every user's next generation will get.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from generator.changes import plan_changes
from generator.generate import build
from generator.resources import specs_dir
from generator.spec import load_spec

GOLDEN = Path(__file__).resolve().parent
CASES = {"gestion_client": "gestion_client.yaml"}
# Spec diffs: diff/<name>.yaml against specs/<base>, printed to diff/<name>.expected.txt.
DIFF_CASES = {"gestion_client_v2": "gestion_client.yaml"}


def expected_dir(case: str) -> Path:
    return GOLDEN / case / "expected"


def regenerate(case: str) -> None:
    target = expected_dir(case)
    shutil.rmtree(target, ignore_errors=True)
    for path, text in build(load_spec(specs_dir() / CASES[case])).files.items():
        destination = target / path
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_text(text, encoding="utf-8", newline="\n")


def diff_outputs(case: str) -> dict[Path, str]:
    """What `nocode diff` prints for a case, and the migration regenerating would write."""
    old = load_spec(specs_dir() / DIFF_CASES[case])
    new = load_spec(GOLDEN / "diff" / f"{case}.yaml")
    change_set = plan_changes(old, new)
    return {
        GOLDEN / "diff" / f"{case}.expected.txt": change_set.describe(),
        GOLDEN / "diff" / f"{case}.expected.sql": change_set.migration_sql("0002_v1_1_0"),
    }


def regenerate_diff(case: str) -> list[Path]:
    outputs = diff_outputs(case)
    for path, text in outputs.items():
        path.write_text(text, encoding="utf-8")
    return list(outputs)


if __name__ == "__main__":
    for name in CASES:
        regenerate(name)
        print(f"rewrote {expected_dir(name)}")
    for name in DIFF_CASES:
        for path in regenerate_diff(name):
            print(f"rewrote {path}")
