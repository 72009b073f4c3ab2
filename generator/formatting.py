"""Formatting: ruff's import sorting, then `ruff format`, on every rendered Python file;
a failure is an error.

One ruff process per step does all of them: they are written to a temporary folder with
the rendered pyproject.toml, whose [tool.ruff] settings ruff is given, so that the
generated repository's own `ruff check` and `ruff format --check` agree by construction.
Imports are sorted by ruff rather than by the templates: its natural order (`t2` before
`t10`) is not the order a plain sort of names gives.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path, PurePosixPath

from ruff import find_ruff_bin

from generator.errors import FormatError, Issue

PYPROJECT = PurePosixPath("pyproject.toml")


def format_files(files: dict[PurePosixPath, str]) -> dict[PurePosixPath, str]:
    """`files` with every `.py` text formatted; `files` must hold the app's pyproject.toml."""
    python = [path for path in files if path.suffix == ".py"]
    with tempfile.TemporaryDirectory(prefix="nocode-format-") as folder:
        root = Path(folder)
        for path in [PYPROJECT, *python]:
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text(files[path], encoding="utf-8")
        names = [str(path) for path in python]
        # A file that cannot be parsed is left as it is here, and reported by the format.
        _ruff(root, "check", "--fix-only", "--select", "I", "--exit-zero", *names)
        result = _ruff(root, "format", *names)
        if result.returncode != 0:
            raise FormatError(_issues(result.stderr, python))
        return files | {path: (root / path).read_text(encoding="utf-8") for path in python}


def _ruff(root: Path, command: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [find_ruff_bin(), command, "--no-cache", "--config", str(PYPROJECT), *arguments],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )


def _issues(stderr: str, python: list[PurePosixPath]) -> list[Issue]:
    """One issue per file ruff names in its errors, or ruff's whole message if it names none."""
    lines = stderr.splitlines()
    issues = [
        Issue(str(path), f"ruff cannot parse the rendered file: {line.strip()}")
        for path in python
        for line in lines
        if f" {path}:" in line
    ]
    return issues or [Issue("", f"ruff format failed: {stderr.strip()}")]
