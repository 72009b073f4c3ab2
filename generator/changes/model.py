"""A change between two specs, as `nocode diff` shows it, classed by what applying it
costs the database:

* additive: nothing is lost and no table is rewritten or scanned under a lock;
* locking: the change rewrites or scans a table, or needs an exclusive lock that waits
  for running transactions (the detail says which);
* destructive: data is lost.

A change the database cannot make safely carries a `refusal` saying why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from generator.spec.models import ProjectSpec


class Safety(StrEnum):
    ADDITIVE = "additive"
    LOCKING = "locking"
    DESTRUCTIVE = "destructive"


SAFETY_ORDER = (Safety.ADDITIVE, Safety.LOCKING, Safety.DESTRUCTIVE)


@dataclass(frozen=True)
class Renamed:
    """What a rename change renames: `old` became `new`, a column of `table` (its new name)
    or the table itself."""

    table: str
    old: str
    new: str
    column: bool


@dataclass(frozen=True)
class Change:
    safety: Safety
    kind: str
    path: str
    detail: str = ""
    refusal: str | None = None
    renamed: Renamed | None = None  # set on "table renamed" and "field renamed"

    def __str__(self) -> str:
        line = f"{self.safety.value:<11}  {self.kind}: {self.path}"
        if self.detail:
            line += f" ({self.detail})"
        if self.refusal:
            line += f"\n             REFUSED: {self.refusal}"
        return line


def strongest(changes: Sequence[Change]) -> Safety:
    return max(
        (change.safety for change in changes), key=SAFETY_ORDER.index, default=Safety.ADDITIVE
    )


def describe(old: ProjectSpec, new: ProjectSpec, changes: Sequence[Change]) -> str:
    """The plan as `nocode diff` prints it: a header, then one change a line."""
    header = (
        f"{new.project.slug}: {old.project.version} -> {new.project.version}, "
        f"{len(changes)} change{'s' if len(changes) != 1 else ''}"
    )
    return "\n".join([header, *(str(change) for change in changes)]) + "\n"
