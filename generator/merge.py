"""Three-way merge of one file, by `git merge-file`: the owner's edits of a generated file
carried onto its new generated version."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path


def merge_text(ours: str, base: str, theirs: str) -> str | None:
    """`ours` (the owner's file) with the changes from `base` to `theirs` (the last and the
    new generated output) applied; None when they conflict or git is missing."""
    with tempfile.TemporaryDirectory(prefix="nocode-merge-") as folder:
        paths = []
        for name, text in (("ours", ours), ("base", base), ("theirs", theirs)):
            path = Path(folder) / name
            path.write_text(text, encoding="utf-8", newline="\n")
            paths.append(str(path))
        try:
            done = subprocess.run(
                ["git", "merge-file", "--stdout", "--quiet", *paths],
                capture_output=True,
                check=False,
            )
        except FileNotFoundError:
            return None
    # The exit status is the number of conflicts (negative on an error).
    return done.stdout.decode("utf-8") if done.returncode == 0 else None
