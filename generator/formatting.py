"""Formatting: black on every rendered Python file, in-process; a failure is an error."""

from __future__ import annotations

from pathlib import PurePosixPath

import black
from black.mode import Mode, TargetVersion
from black.parsing import InvalidInput

from generator.errors import FormatError, Issue

MODE = Mode(target_versions={TargetVersion.PY311})


def format_files(files: dict[PurePosixPath, str]) -> dict[PurePosixPath, str]:
    formatted: dict[PurePosixPath, str] = {}
    issues: list[Issue] = []
    for path, text in files.items():
        if path.suffix != ".py":
            formatted[path] = text
            continue
        try:
            formatted[path] = black.format_str(text, mode=MODE)
        except InvalidInput as error:
            issues.append(Issue(str(path), f"black cannot parse the rendered file: {error}"))
    if issues:
        raise FormatError(issues)
    return formatted
