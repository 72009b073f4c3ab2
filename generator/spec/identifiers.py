"""What a name from a spec may be: names become SQL identifiers, Python modules and URLs.

A name is lower snake case, starts with a letter, is at most 30 characters long (so that
derived constraint names stay under PostgreSQL's 63) and is none of the reserved words
below. Names are checked here once; everything downstream treats them as safe.
"""

from __future__ import annotations

import keyword
import re

from pydantic import BaseModel

MAX_IDENTIFIER_LENGTH = 30
# Single underscores only: `__` separates a field from its operator in list filters.
IDENTIFIER_PATTERN = r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$"
_IDENTIFIER_RE = re.compile(IDENTIFIER_PATTERN)

# PostgreSQL keywords that cannot be a column or table name without quotes
# (`SELECT word FROM pg_get_keywords() WHERE catcode IN ('R', 'T')`, PostgreSQL 18).
SQL_RESERVED = frozenset(
    """
    all analyse analyze and any array as asc asymmetric authorization binary both case
    cast check collate collation column concurrently constraint create cross
    current_catalog current_date current_role current_schema current_time
    current_timestamp current_user default deferrable desc distinct do else end except
    false fetch for foreign freeze from full grant group having ilike in initially inner
    intersect into is isnull join lateral leading left like limit localtime
    localtimestamp natural not notnull null offset on only or order outer overlaps
    placing primary references returning right select session_user similar some
    symmetric system_user table tablesample then to trailing true union unique user
    using variadic verbose when where window with
    """.split()  # noqa: SIM905 (a word list reads better than a list literal)
)

PYTHON_RESERVED = frozenset(word.lower() for word in keyword.kwlist)

# Names the generated models use as types inside class bodies: a field with one of these
# names would shadow the type for the fields after it.
GENERATED_CODE_RESERVED = frozenset(
    {"str", "int", "bool", "float", "list", "dict", "date", "datetime", "decimal", "uuid"}
) | {"read_only"}  # a class variable of the generated input models

# Attributes of pydantic's BaseModel: a field of that name would shadow a method.
PYDANTIC_RESERVED = frozenset(
    name for name in dir(BaseModel) if not name.startswith("_")
) | frozenset({"model_config", "model_fields"})

# Columns every generated table has.
SYSTEM_COLUMNS = frozenset({"id", "created_at", "updated_at"})

# Tables the generated app keeps for itself.
SYSTEM_TABLES = frozenset(
    {
        "schema_migrations",
        "nocode_changes",
        "nocode_count_deltas",
        "nocode_count_horizons",
        "nocode_count_watermarks",
        "nocode_events",
    }
)


def identifier_problem(name: str, max_length: int = MAX_IDENTIFIER_LENGTH) -> str | None:
    """Why `name` cannot be used as a spec identifier, or None when it can."""
    if not _IDENTIFIER_RE.fullmatch(name):
        return (
            f"{name!r} is not a valid name: use lower-case letters and digits, words joined "
            "by single underscores, starting with a letter"
        )
    if len(name) > max_length:
        return f"{name!r} is too long: at most {max_length} characters"
    if name.startswith("pg_"):
        return f"{name!r} is reserved: names starting with 'pg_' belong to PostgreSQL"
    for words, owner in (
        (SQL_RESERVED, "an SQL keyword"),
        (PYTHON_RESERVED, "a Python keyword"),
        (GENERATED_CODE_RESERVED, "a type name used by the generated code"),
        (PYDANTIC_RESERVED, "an attribute of pydantic models"),
    ):
        if name in words:
            return f"{name!r} is reserved: it is {owner}"
    return None
