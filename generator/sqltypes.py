"""Column types as values: `varchar(254)` is `SqlType("varchar", length=254)`, so code
that compares or converts types reads fields instead of parsing strings."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

TEXTUAL = frozenset({"text", "varchar"})


@dataclass(frozen=True)
class SqlType:
    base: str  # text, varchar, bigint, numeric, boolean, date, timestamptz, uuid or jsonb
    length: int | None = None  # varchar(length)
    precision: int | None = None  # numeric(precision, scale): digits in all
    scale: int | None = None  # ... of which after the decimal point

    def __str__(self) -> str:
        if self.length is not None:
            return f"{self.base}({self.length})"
        if self.precision is not None:
            return f"{self.base}({self.precision}, {self.scale or 0})"
        return self.base

    @property
    def textual(self) -> bool:
        return self.base in TEXTUAL

    @property
    def largest_magnitude(self) -> Decimal | None:
        """The power of ten a numeric(p, s) value must stay under, if bounded."""
        if self.precision is None:
            return None
        return Decimal(10) ** (self.precision - (self.scale or 0))

    def holds_every_value_of(self, old: SqlType) -> bool:
        """Whether every value of type `old` fits this type unchanged."""
        if self.length is not None and old.length is not None:
            return self.length >= old.length
        if self.precision is not None and old.precision is not None:
            places, old_places = self.scale or 0, old.scale or 0
            return places >= old_places and self.precision - places >= old.precision - old_places
        return False


def varchar(length: int) -> SqlType:
    return SqlType("varchar", length=length)


def numeric(precision: int | None = None, scale: int | None = None) -> SqlType:
    if precision is None:
        return SqlType("numeric")
    return SqlType("numeric", precision=precision, scale=scale or 0)
