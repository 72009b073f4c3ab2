"""Turning spec values into safe source text: the only way spec data reaches a template.

Templates render Python, SQL, TOML and Markdown with autoescape off. A spec value goes
through one of these filters, each of which returns text that the target language reads
back as exactly that value, never as code:

* `py`: a Python literal (`repr` for strings, `Decimal("…")` for decimals).
* `sql_literal`: a PostgreSQL string constant (standard_conforming_strings is on by
  default since PostgreSQL 9.1, so only quotes need doubling).
* `sql_ident`: a name the spec checks validated (or derived from such names).
* `json_value`: JSON text (for data files).
* `one_line`: text for a comment or Markdown line: line breaks and control characters
  removed, so it cannot end the comment.
"""

from __future__ import annotations

import json
import re
import unicodedata
from decimal import Decimal
from typing import Any

from generator.errors import RenderError

# Spec names were checked against the stricter spec pattern; derived names add `__`.
_SQL_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")


def py(value: Any) -> str:
    """A Python expression that evaluates to `value`."""
    if value is None or isinstance(value, bool | int):
        return repr(value)
    if isinstance(value, str):
        return _py_string(value)
    if isinstance(value, float):
        return repr(value) if value == value and abs(value) != float("inf") else _refuse(value)
    if isinstance(value, Decimal):
        return f"Decimal({str(value)!r})"
    if isinstance(value, list | tuple):
        items = ", ".join(py(item) for item in value)
        return (
            f"({items},)"
            if isinstance(value, tuple) and len(value) == 1
            else (f"({items})" if isinstance(value, tuple) else f"[{items}]")
        )
    if isinstance(value, dict):
        return "{" + ", ".join(f"{py(key)}: {py(item)}" for key, item in value.items()) + "}"
    return _refuse(value)


def _py_string(text: str) -> str:
    """`repr`, but with double quotes where the formatter would choose them (less to reformat).
    A StrEnum member is written as its value: `str()` first, as its own `repr` is not."""
    literal = repr(str(text))
    if literal.startswith("'") and '"' not in text and "'" not in text:
        return f'"{literal[1:-1]}"'
    return literal


def sql_literal(value: Any) -> str:
    """A PostgreSQL constant for a string, number or boolean."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, str):
        if "\x00" in value:
            return _refuse(value)
        if any(_is_control(char) for char in value):
            return "E'" + "".join(_escaped(char) for char in value) + "'"
        return "'" + value.replace("'", "''") + "'"
    return _refuse(value)


def _is_control(char: str) -> bool:
    return unicodedata.category(char) in ("Cc", "Zl", "Zp")


def _escaped(char: str) -> str:
    """One character of an E'' string: line breaks and controls as escapes, so the SQL
    file survives any newline conversion."""
    if char in ("\\", "'"):
        return "\\" + char
    if _is_control(char):
        return f"\\u{ord(char):04x}"
    return char


def sql_ident(name: str) -> str:
    """An identifier checked by the spec; anything else is a generator bug, so refuse."""
    if not isinstance(name, str) or not _SQL_NAME_RE.fullmatch(name) or len(name) > 63:
        return _refuse(name)
    return name


def json_value(value: Any, indent: int | None = None) -> str:
    return json.dumps(value, ensure_ascii=False, indent=indent, sort_keys=False)


def one_line(text: str) -> str:
    """`text` without line breaks or control characters, for comments and Markdown."""
    flat = " ".join(str(text).splitlines())
    return "".join(
        " " if unicodedata.category(char) in ("Cc", "Zl", "Zp") else char for char in flat
    )


def sql_columns(
    names: list[str], indent: int = 4, width: int = 88, placeholders: bool = False
) -> str:
    """Validated identifiers (or their `%(name)s` placeholders) joined by commas, wrapped
    before `width`: the column lists of SQL written into Python strings."""
    lines: list[str] = []
    current = ""
    for ident in (sql_ident(name) for name in names):
        name = f"%({ident})s" if placeholders else ident
        candidate = f"{current}, {name}" if current else name
        if current and indent + len(candidate) + 1 > width:
            lines.append(current + ",")
            current = name
        else:
            current = candidate
    lines.append(current)
    return ("\n" + " " * indent).join(lines)


def _refuse(value: Any) -> str:
    raise RenderError(f"cannot render {value!r} ({type(value).__name__}) as a safe literal")


FILTERS = {
    "py": py,
    "sql_literal": sql_literal,
    "sql_ident": sql_ident,
    "json_value": json_value,
    "one_line": one_line,
    "sql_columns": sql_columns,
}
