"""generator/formatting.py: ruff formats with the app's own settings, and the app checks
with the same ruff; a file ruff cannot parse is a FormatError naming that file."""

from __future__ import annotations

import tomllib
from importlib.metadata import version
from pathlib import Path, PurePosixPath

import pytest

from generator.errors import FormatError
from generator.formatting import PYPROJECT, format_files

SETTINGS = '[tool.ruff]\nline-length = 100\ntarget-version = "py311"\n'
# 93 characters: black's and ruff's default line length (88) would split it.
LONG_CALL = (
    "result = compute(first_argument, second_argument, third_argument, fourth_argument, fifth_arg)"
    "\n"
)


def test_python_files_are_formatted_with_the_settings_of_the_apps_pyproject() -> None:
    files = {
        PYPROJECT: SETTINGS,
        PurePosixPath("app/long.py"): LONG_CALL,
        PurePosixPath("app/ugly.py"): "x = {  'a':1 }\n",
        PurePosixPath("README.md"): "x = {  'a':1 }\n",
    }
    formatted = format_files(files)
    assert len(LONG_CALL.rstrip()) == 93
    assert formatted[PurePosixPath("app/long.py")] == LONG_CALL
    assert formatted[PurePosixPath("app/ugly.py")] == 'x = {"a": 1}\n'
    assert formatted[PurePosixPath("README.md")] == files[PurePosixPath("README.md")]
    assert formatted[PYPROJECT] == SETTINGS


def test_imports_are_sorted_in_ruffs_natural_order() -> None:
    files = {
        PYPROJECT: SETTINGS + '[tool.ruff.lint]\nselect = ["E", "F", "I"]\n',
        PurePosixPath("app/main.py"): "from app.api.routes import t1, t10, t2\nimport sys\n",
    }
    assert format_files(files)[PurePosixPath("app/main.py")] == (
        "import sys\n\nfrom app.api.routes import t1, t2, t10\n"
    )


def test_a_file_ruff_cannot_parse_is_a_format_error_naming_it() -> None:
    files = {
        PYPROJECT: SETTINGS,
        PurePosixPath("app/good.py"): "x = 1\n",
        PurePosixPath("app/queries/broken.py"): "def broken(:\n    pass\n",
    }
    with pytest.raises(FormatError) as raised:
        format_files(files)
    [issue] = raised.value.issues
    assert issue.path == "app/queries/broken.py"
    assert "ruff cannot parse the rendered file" in issue.message


def test_the_generated_repository_checks_with_the_ruff_that_formatted_it(crm_dir: Path) -> None:
    pyproject = tomllib.loads((crm_dir / "pyproject.toml").read_text(encoding="utf-8"))
    assert f"ruff=={version('ruff')}" in pyproject["project"]["optional-dependencies"]["dev"]
