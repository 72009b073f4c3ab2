"""A spec change, computed once: the matched specs, the change list the user is told,
and the migration that carries it out. The first migration of an app is the change set
from an empty spec, so every migration is written the same way."""

from __future__ import annotations

from dataclasses import dataclass

from generator import ddl
from generator.changes.classify import classify
from generator.changes.matching import SpecMatch, match_specs
from generator.changes.model import Change, Safety, describe, strongest
from generator.changes.objects import DerivedObject
from generator.changes.sql import Migration, Step
from generator.changes.writer import write_migration
from generator.errors import Issue, PlanError
from generator.indexes import SCHEMA_REVISION
from generator.plan import RECORDED_SPEC
from generator.spec.models import ProjectSpec
from generator.version import GENERATOR_VERSION

INITIAL_MIGRATION = "0001_initial"


@dataclass(frozen=True)
class ChangeSet:
    matched: SpecMatch
    changes: tuple[Change, ...]
    written: Migration | None  # None when a change is refused

    @property
    def old(self) -> ProjectSpec:
        return self.matched.old

    @property
    def new(self) -> ProjectSpec:
        return self.matched.new

    @property
    def refused(self) -> list[Change]:
        return [change for change in self.changes if change.refusal]

    @property
    def migration(self) -> Migration:
        """The SQL of the change list; a change set with refusals has none."""
        if self.written is None:
            raise PlanError([Issue(c.path, f"{c.kind}: {c.refusal}") for c in self.refused])
        return self.written

    def describe(self) -> str:
        return describe(self.old, self.new, self.changes)

    def migration_sql(self, version: str, title: str | None = None) -> str:
        """The migration file named `version`: what it does (`title`, by default the
        plan's first line), its plan, then its SQL."""
        return self.migration.sql(self._header(version, title))

    def _header(self, version: str, title: str | None) -> list[str]:
        plan = self.describe().splitlines()
        return [
            f"Migration {version}: {title or plan[0]}",
            f"Written by nocode {GENERATOR_VERSION} from {RECORDED_SPEC}; applied by "
            "`python -m app migrate`.",
            "Regeneration never rewrites it: later spec changes go into later migrations.",
            f"Class: {strongest(self.changes).value} (the strongest of its changes).",
            "",
            *(f"  {line}" for line in plan[1:]),
        ]


def plan_changes(
    old: ProjectSpec, new: ProjectSpec, old_revision: int = SCHEMA_REVISION
) -> ChangeSet:
    """The changes from `old`, whose schema a generator of `old_revision` made, to `new`."""
    matched = match_specs(old, new)
    changes = classify(matched, old_revision)
    if any(change.refusal for change in changes):
        return ChangeSet(matched, tuple(changes), None)
    written = write_migration(matched, old_revision)
    derived = _derived_index_changes(changes, written.derived_indexes)
    return ChangeSet(matched, (*changes, *derived), written.migration)


def _derived_index_changes(
    changes: list[Change], derived: tuple[tuple[str, DerivedObject], ...]
) -> list[Change]:
    """The indexes the generator derives (for sorting, filters, search) that the migration
    adds or drops, unless their field is added or dropped (its index goes with it): a
    type or list_config change can cause them, and the plan must not hide SQL."""
    with_field = {c.path for c in changes if c.kind in ("field added", "field dropped")}
    return [
        Change(
            Safety.ADDITIVE,
            f"index {what}",
            index.path,
            f"{index.purpose}, " + ("built concurrently" if what == "added" else "no data lost"),
        )
        for what, index in derived
        if index.path not in with_field
    ]


def initial_migration(spec: ProjectSpec) -> str:
    """The first migration: every table of `spec` added to an empty database."""
    empty = spec.model_copy(update={"tables": {}})
    change_set = plan_changes(empty, spec)
    change_set.migration.setup += [
        Step(
            "Trigram indexes make the case-insensitive substring `search` of lists fast.",
            "CREATE EXTENSION IF NOT EXISTS pg_trgm;",
        ),
        Step(
            "Count deltas: exact list counts follow writes without recounting.",
            ddl.COUNT_DELTAS,
        ),
        Step("Record events: every write of a record leaves an event.", ddl.RECORD_EVENTS),
    ]
    title = f"creates the tables of {spec.project.slug} {spec.project.version}"
    return change_set.migration_sql(INITIAL_MIGRATION, title)
