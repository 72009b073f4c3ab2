"""A migration file: statements in the phases they run in, and the text they make.

1. one transaction, applied all or nothing: renames, drops, column changes, new tables,
   checks that stop the migration with a clear message when the data does not allow a
   change (duplicates under a new unique constraint, records without a value for a field
   made required, ...), and new constraints added NOT VALID (no scan under a lock);
2. after the `-- nocode:concurrently` line, statements the app's migrator runs one at a
   time outside any transaction, so that writes go on meanwhile: CREATE INDEX
   CONCURRENTLY, VALIDATE CONSTRAINT, SET NOT NULL proven by a validated check. Each is
   safe to run again should the migration stop midway.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from generator.literals import one_line, sql_literal

CONCURRENT_MARKER = "-- nocode:concurrently"
LOCK_TIMEOUT = "5s"


@dataclass(frozen=True)
class Step:
    comment: str
    sql: str

    def __str__(self) -> str:
        return f"-- {one_line(self.comment)}\n{self.sql}" if self.comment else self.sql


@dataclass
class Migration:
    """The statements of a migration, in the phases they run in."""

    setup: list[Step] = field(default_factory=list)
    renames: list[Step] = field(default_factory=list)
    drops: list[Step] = field(default_factory=list)
    checks_before: list[Step] = field(default_factory=list)
    removals: list[Step] = field(default_factory=list)
    changes: list[Step] = field(default_factory=list)
    checks_after: list[Step] = field(default_factory=list)
    constraints: list[Step] = field(default_factory=list)
    concurrently: list[Step] = field(default_factory=list)

    @property
    def transaction(self) -> list[Step]:
        return [
            *self.setup,
            *self.renames,
            *self.drops,
            *self.checks_before,
            *self.removals,
            *self.changes,
            *self.checks_after,
            *self.constraints,
        ]

    @property
    def empty(self) -> bool:
        return not self.transaction and not self.concurrently

    def sql(self, header: Iterable[str]) -> str:
        """The migration file: a commented header, the transaction, the concurrent part."""
        lines = [f"-- {one_line(line)}" if line else "--" for line in header]
        parts = ["\n".join(lines), f"SET LOCAL lock_timeout = {sql_literal(LOCK_TIMEOUT)};"]
        parts += [str(step) for step in self.transaction]
        if self.concurrently:
            parts.append(
                f"{CONCURRENT_MARKER}\n-- Below, each statement runs on its own, outside the "
                "transaction, so that\n-- the tables stay writable (statements are separated "
                "by blank lines)."
            )
            parts.append(f"SET lock_timeout = {sql_literal(LOCK_TIMEOUT)};")
            parts += [str(step) for step in self.concurrently]
        return "\n\n".join(parts) + "\n"


def dollar_quoted(body: str) -> str:
    """`body` between dollar quotes whose tag it does not contain (spec values may hold $$)."""
    tag, number = "$nocode$", 0
    while tag in body:
        number += 1
        tag = f"$nocode{number}$"
    return f"{tag}\n{body}\n{tag}"
