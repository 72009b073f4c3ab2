"""Renames the owner's hooks do not follow: `app/hooks/<table>.py` is never regenerated,
so a hook reading `data.title` after `title` became `subject` would fail at run time.
Such uses are found in the hooks' tokens (names and string keys, not comments) and
reported before anything runs."""

from __future__ import annotations

import ast
import io
import tokenize
from collections.abc import Iterator, Sequence
from pathlib import Path, PurePosixPath

from generator.changes.model import Change
from generator.plan import OWNER_FOLDER
from generator.write import digest, read_manifest


def hook_warnings(repository: Path, changes: Sequence[Change]) -> list[str]:
    """One warning per edited hooks module that still uses a field name the changes rename."""
    manifest = read_manifest(repository) or {}
    created: dict[str, str] = manifest.get("owner_files", {})
    tables = {c.renamed.new: c.renamed.old for c in changes if c.renamed and not c.renamed.column}
    warnings = []
    for change in changes:
        renamed = change.renamed
        if renamed is None or not renamed.column:
            continue
        for table in dict.fromkeys((renamed.table, tables.get(renamed.table, renamed.table))):
            path = OWNER_FOLDER / f"{table}.py"
            text = _edited_text(repository, path, created.get(str(path)))
            if text is not None and renamed.old in _names_used(text):
                warnings.append(
                    f"{path} uses the field {renamed.old!r}, renamed to {renamed.new!r} "
                    f"({change.path}): update the hook, or the app fails when it runs"
                )
    return warnings


def _edited_text(repository: Path, path: PurePosixPath, created_digest: str | None) -> str | None:
    """The hooks module's text if its owner changed it since nocode created it."""
    try:
        text = (repository / path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return None if digest(text) == created_digest else text


def _names_used(source: str) -> set[str]:
    """Names and string literals of `source`, outside its import statements."""
    return set(_tokens_outside_imports(source))


def _tokens_outside_imports(source: str) -> Iterator[str]:
    in_import = False
    at_line_start = True
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type in (tokenize.NEWLINE, tokenize.NL):
                at_line_start, in_import = True, False
                continue
            if token.type in (tokenize.INDENT, tokenize.DEDENT, tokenize.COMMENT):
                continue
            if at_line_start:
                in_import = token.string in ("import", "from")
                at_line_start = False
            if in_import:
                continue
            if token.type == tokenize.NAME:
                yield token.string
            elif token.type == tokenize.STRING:
                yield from _string_value(token.string)
    except (tokenize.TokenError, SyntaxError):
        return  # a hook that does not parse fails loudly on its own


def _string_value(literal: str) -> Iterator[str]:
    try:
        value = ast.literal_eval(literal)
    except (ValueError, SyntaxError):
        return
    if isinstance(value, str):
        yield value
