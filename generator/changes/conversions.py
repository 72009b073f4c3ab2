"""Column type changes: which PostgreSQL makes without losing or refusing data, at what
cost, and which values must be checked first. Read by the change list (what the user is
told) and the migration (the SQL), so the two cannot disagree."""

from __future__ import annotations

from dataclasses import dataclass

from generator.changes.model import Safety
from generator.literals import sql_ident
from generator.sqltypes import SqlType

# Conversions with a safe cast, as (from, to) bases; varchar counts as text.
_SAFE_CASTS = {
    ("bigint", "numeric"),
    ("bigint", "text"),
    ("numeric", "text"),
    ("boolean", "text"),
    ("date", "timestamptz"),
    ("date", "text"),
    ("timestamptz", "text"),
    ("uuid", "text"),
    ("jsonb", "text"),
}


@dataclass(frozen=True)
class Conversion:
    old: SqlType
    new: SqlType

    @property
    def judgement(self) -> tuple[Safety, str, str | None]:
        """(safety, detail, refusal) of changing a column from `old` to `new`."""
        old, new = self.old, self.new
        if old.textual and new.textual:
            if new.length is None or (old.length is not None and new.length >= old.length):
                return Safety.ADDITIVE, f"{old} -> {new}: no rewrite", None
            return Safety.LOCKING, f"{old} -> {new}: scans the table under an exclusive lock", None
        if self.castable:
            detail = f"{old} -> {new}: rewrites the table (USING {new.base})"
            if new.base == "varchar" or old.base == new.base == "numeric":
                detail += "; fails if a value does not fit"
            return Safety.LOCKING, detail, None
        return (
            Safety.LOCKING,
            f"{old} -> {new}",
            f"no safe conversion from {old} to {new}; add a new field and copy the data yourself",
        )

    @property
    def castable(self) -> bool:
        target = "text" if self.new.textual else self.new.base
        return (self.old.base, target) in _SAFE_CASTS or self.old.base == self.new.base == "numeric"

    def using(self, column: str) -> str:
        """The USING clause: none to a text type, so a value too long stops the change
        instead of being cut."""
        return "" if self.new.textual else f" USING {sql_ident(column)}::{self.new}"

    def misfits(self, column: str) -> tuple[str, str] | None:
        """(SQL condition, what is wrong) matching the values the new type would refuse or
        round, or None when every value fits."""
        name, new = sql_ident(column), self.new
        if new.holds_every_value_of(self.old):
            return None
        if new.length is not None:
            return f"length({name}::text) > {new.length}", f"longer than {new.length} characters"
        if new.precision is not None:
            places = new.scale or 0
            return (
                f"round({name}::numeric, {places}) <> {name}::numeric "
                f"OR abs({name}::numeric) >= {new.largest_magnitude}",
                f"not fitting {new.precision} digits with {places} decimal places",
            )
        return None
