"""The generated CRM app must match its golden copy, file for file."""

from __future__ import annotations

import pytest

from generator.generate import build
from generator.resources import specs_dir
from generator.spec import load_spec
from tests.golden.regen import CASES, expected_dir


@pytest.mark.parametrize("case", sorted(CASES))
def test_generation_matches_the_golden_copy(case: str) -> None:
    generated = {
        str(path): text for path, text in build(load_spec(specs_dir() / CASES[case])).files.items()
    }
    root = expected_dir(case)
    golden = {
        str(path.relative_to(root)): path.read_text(encoding="utf-8")
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }
    assert sorted(generated) == sorted(golden), "run `python -m tests.golden.regen` and review"
    drifted = [name for name in generated if generated[name] != golden[name]]
    assert not drifted, f"drifted from the golden copy: {drifted}; regenerate and review"
