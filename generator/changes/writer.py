"""The SQL of a migration, from the matched specs: the old spec is given the new spec's
names (matched by stable ids), so that the database objects before and after compare by
name; those that differ are dropped and made again. The renames themselves come from
comparing the old spec's objects with the same spec under the new names, in order."""

from __future__ import annotations

from dataclasses import dataclass

from generator import ddl
from generator.appmodel import FieldModel, TableModel, build_project
from generator.changes import guards, objects
from generator.changes.conversions import Conversion
from generator.changes.matching import SpecMatch
from generator.changes.objects import DerivedObject, derived_objects
from generator.changes.sql import Migration, Step
from generator.indexes import COUNT_DELTAS, RECORD_EVENTS, sql_name
from generator.literals import sql_ident, sql_literal


@dataclass(frozen=True)
class Written:
    migration: Migration
    derived_indexes: tuple[tuple[str, DerivedObject], ...]  # ("added" or "dropped", index)


def write_migration(matched: SpecMatch, old_revision: int) -> Written:
    """The migration from `matched.old` (its schema made by a generator of `old_revision`)
    to `matched.new`, and the indexes the generator derives that it adds or drops; name
    reuse must have been refused before."""
    writer = _Writer(
        before={t.stable_id: t for t in build_project(matched.old, old_revision).tables},
        renamed={t.stable_id: t for t in build_project(matched.old_renamed(), old_revision).tables},
        after={t.stable_id: t for t in build_project(matched.new).tables},
        has_events=old_revision >= RECORD_EVENTS,
        has_deltas=old_revision >= COUNT_DELTAS,
    )
    migration = writer.write()
    return Written(migration, tuple(writer.derived_indexes))


class _Writer:
    def __init__(
        self,
        before: dict[str, TableModel],
        renamed: dict[str, TableModel],
        after: dict[str, TableModel],
        has_events: bool,
        has_deltas: bool,
    ) -> None:
        self.before, self.renamed, self.after = before, renamed, after
        self.has_events = has_events  # the old schema has the record events' outbox
        self.has_deltas = has_deltas  # the old schema logs count deltas (not change counters)
        self.migration = Migration()
        self.derived_indexes: list[tuple[str, DerivedObject]] = []  # ("added" or "dropped", index)

    def write(self) -> Migration:
        for stable_id, table in self.before.items():
            if stable_id in self.after:
                self._renames(table, self.renamed[stable_id])
        for stable_id, table in self.after.items():
            previous = self.renamed.get(stable_id)
            if previous is not None:
                self._table_changes(previous, table)
        dropped = [t for stable_id, t in self.renamed.items() if stable_id not in self.after]
        if dropped:
            self._drop_tables(dropped)
        kept = [t for i, t in self.after.items() if i in self.renamed]
        if not self.has_events:
            self._add_record_events(kept)
        if not self.has_deltas:
            self._add_count_deltas(kept)
        added = [t for stable_id, t in self.after.items() if stable_id not in self.renamed]
        for table in added:
            self._create_table(table)
        for table in added:
            for statement in ddl.foreign_keys(table):
                self.migration.constraints.append(Step("", statement))
        return self.migration

    # Renames -----------------------------------------------------------------------------

    def _renames(self, old: TableModel, new: TableModel) -> None:
        steps = self.migration.renames
        table = sql_ident(new.name)
        if old.name != new.name:
            steps += [
                Step(
                    f"tables.{new.name}: renamed from {old.name}",
                    f"ALTER TABLE {sql_ident(old.name)} RENAME TO {table};",
                ),
                Step(
                    "",
                    f"ALTER SEQUENCE {sql_ident(old.name + '_id_seq')} "
                    f"RENAME TO {sql_ident(new.name + '_id_seq')};",
                ),
                Step(
                    "",
                    f"ALTER TABLE {table} RENAME CONSTRAINT {sql_ident(old.name + '_pkey')} "
                    f"TO {sql_ident(new.name + '_pkey')};",
                ),
            ]
            if self.has_deltas:
                steps += [
                    Step(
                        "",
                        f"UPDATE {log} SET table_name = {sql_literal(new.name)} "
                        f"WHERE table_name = {sql_literal(old.name)};",
                    )
                    for log in ("nocode_count_deltas", "nocode_count_watermarks")
                ]
        for before, after in zip(old.fields, new.fields, strict=True):
            if before.name != after.name:
                steps.append(
                    Step(
                        f"tables.{new.name}.fields.{after.name}: renamed from {before.name}, "
                        "values kept",
                        f"ALTER TABLE {table} RENAME COLUMN {sql_ident(before.name)} "
                        f"TO {sql_ident(after.name)};",
                    )
                )
        for before_object, after_object in zip(
            derived_objects(old), derived_objects(new), strict=True
        ):
            if before_object.name != after_object.name:
                steps.append(Step("", objects.rename(new, before_object.name, after_object)))
        triggers = zip(
            ddl.trigger_names(old.name, events=self.has_events, deltas=self.has_deltas),
            ddl.trigger_names(new.name, events=self.has_events, deltas=self.has_deltas),
            strict=True,
        )
        for trigger, renamed_trigger in triggers:
            if trigger != renamed_trigger:
                steps.append(
                    Step(
                        "",
                        f"ALTER TRIGGER {sql_ident(trigger)} ON {table} "
                        f"RENAME TO {sql_ident(renamed_trigger)};",
                    )
                )

    # Changes of a kept table ---------------------------------------------------------------

    def _table_changes(self, old: TableModel, new: TableModel) -> None:
        table = sql_ident(new.name)
        before = {o.name: o for o in derived_objects(old)}
        after = {o.name: o for o in derived_objects(new)}
        for name, gone in before.items():
            if after.get(name) != gone:
                if gone.derived_index:
                    self.derived_indexes.append(("dropped", gone))
                self.migration.drops.append(
                    Step(f"{gone.path}: replaced or dropped", objects.drop(new, gone))
                )
        old_fields = {f.stable_id: f for f in old.fields}
        new_ids = {f.stable_id for f in new.fields}
        for stable_id, dropped in old_fields.items():
            if stable_id not in new_ids:
                self.migration.removals.append(
                    Step(
                        f"DROPS tables.{new.name}.fields.{dropped.name} ({dropped.sql_type}) "
                        "and every value it holds",
                        f"ALTER TABLE {table} DROP COLUMN {sql_ident(dropped.name)};",
                    )
                )
        for new_field in new.fields:
            old_field = old_fields.get(new_field.stable_id)
            if old_field is None:
                self._add_column(new, new_field)
            else:
                self._alter_column(new, old_field, new_field)
        for name, made in after.items():
            if before.get(name) != made:
                if made.derived_index:
                    self.derived_indexes.append(("added", made))
                self._create_object(new, made)
        if (old.description or old.display_name) != (new.description or new.display_name):
            self.migration.changes.append(Step("", ddl.comments(new)[0]))
        if self.has_deltas and _columns(old) != _columns(new):
            # Logged records have the old columns: counts cached before are recounted.
            self.migration.changes.append(
                Step(
                    f"Cached list counts of {new.name} recounted: its columns changed.",
                    f"SELECT nocode_count_reset({sql_literal(new.name)});",
                )
            )

    def _add_column(self, table: TableModel, added: FieldModel) -> None:
        path = f"tables.{table.name}.fields.{added.name}"
        if added.is_required and not added.has_default:
            self.migration.checks_before.append(
                guards.stop_if_found(
                    f"SELECT id::text AS sample FROM {sql_ident(table.name)}",
                    f"{path}: required without a default_value, but the table has records "
                    "(ids); give the field a default_value",
                )
            )
        self.migration.changes += [
            Step(
                f"{path}: added",
                f"ALTER TABLE {sql_ident(table.name)} ADD COLUMN {ddl.column_clause(added)};",
            ),
            Step("", objects.comment_on_column(table, added)),
        ]

    def _alter_column(self, table: TableModel, old: FieldModel, new: FieldModel) -> None:
        path = f"tables.{table.name}.fields.{new.name}"
        alter = f"ALTER TABLE {sql_ident(table.name)} ALTER COLUMN {sql_ident(new.name)}"
        if old.sql_type != new.sql_type:
            self._convert(table, Conversion(old.sql_type, new.sql_type), new.name, path)
        old_default, new_default = ddl.default_expression(old), ddl.default_expression(new)
        if old_default != new_default:
            self.migration.changes.append(
                Step(
                    f"{path}: default for new records",
                    (
                        f"{alter} SET DEFAULT {new_default};"
                        if new_default
                        else f"{alter} DROP DEFAULT;"
                    ),
                )
            )
        if new.is_required and not old.is_required:
            self._make_required(table, new, path)
        elif old.is_required and not new.is_required:
            self.migration.changes.append(Step(f"{path}: optional", f"{alter} DROP NOT NULL;"))
        if old.display_name != new.display_name:
            self.migration.changes.append(Step("", objects.comment_on_column(table, new)))

    def _convert(self, table: TableModel, conversion: Conversion, column: str, path: str) -> None:
        """The type change, after a check naming the values it would refuse or round."""
        misfits = conversion.misfits(column)
        if misfits is not None:
            condition, problem = misfits
            self.migration.checks_before.append(
                guards.stop_if_found(
                    f"SELECT id::text AS sample FROM {sql_ident(table.name)} WHERE {condition}",
                    f"{path}: records hold values {problem} (ids); change them first",
                )
            )
        self.migration.changes.append(
            Step(
                f"{path}: {conversion.old} -> {conversion.new}",
                f"ALTER TABLE {sql_ident(table.name)} ALTER COLUMN {sql_ident(column)} "
                f"TYPE {conversion.new}{conversion.using(column)};",
            )
        )

    def _make_required(self, table: TableModel, new: FieldModel, path: str) -> None:
        name, column = sql_ident(table.name), sql_ident(new.name)
        if new.has_default:
            self.migration.changes.append(
                Step(
                    f"{path}: required; records without a value take the default",
                    f"UPDATE {name} SET {column} = {ddl.default_expression(new)} "
                    f"WHERE {column} IS NULL;",
                )
            )
        else:
            self.migration.checks_after.append(
                guards.stop_if_found(
                    f"SELECT id::text AS sample FROM {name} WHERE {column} IS NULL",
                    f"{path}: required now, but records have no value (ids); "
                    "give the field a default_value or fill them first",
                )
            )
        check = sql_ident(sql_name(table.name, new.name, "not_null"))
        self.migration.constraints.append(
            Step(
                f"{path}: required; proven by a check first, so that SET NOT NULL needs no scan",
                f"ALTER TABLE {name} ADD CONSTRAINT {check} "
                f"CHECK ({column} IS NOT NULL) NOT VALID;",
            )
        )
        self.migration.concurrently += [
            Step("", f"ALTER TABLE {name} VALIDATE CONSTRAINT {check};"),
            Step("", f"ALTER TABLE {name} ALTER COLUMN {column} SET NOT NULL;"),
            Step("", f"ALTER TABLE {name} DROP CONSTRAINT IF EXISTS {check};"),
        ]

    def _create_object(self, table: TableModel, made: DerivedObject) -> None:
        name = sql_ident(table.name)
        if made.unique:
            self.migration.checks_after.append(guards.duplicates(table, made))
        if made.kind == "index":
            self.migration.concurrently.append(
                Step(
                    f"{made.path}: built without blocking writes",
                    objects.concurrently(made.definition),
                )
            )
        elif made.kind == "unique":
            index = sql_ident(made.name)
            columns = ", ".join(sql_ident(column) for column in made.columns)
            self.migration.concurrently += [
                Step(
                    f"{made.path}: unique, its index built without blocking writes",
                    objects.concurrently(f"CREATE UNIQUE INDEX {index} ON {name} ({columns});"),
                ),
                Step("", objects.unique_from_index(table, made.name)),
            ]
        else:
            if made.kind == "check":
                self.migration.checks_after.append(guards.removed_choices(table, made))
            else:
                self.migration.checks_after.append(guards.orphans(table, made))
            constraint = sql_ident(made.name)
            self.migration.constraints.append(
                Step(
                    f"{made.path}: checked for new writes now, for existing records below",
                    f"ALTER TABLE {name} ADD CONSTRAINT {constraint} {made.definition} NOT VALID;",
                )
            )
            self.migration.concurrently.append(
                Step("", f"ALTER TABLE {name} VALIDATE CONSTRAINT {constraint};")
            )

    # Whole tables ------------------------------------------------------------------------

    def _drop_tables(self, tables: list[TableModel]) -> None:
        names = ", ".join(sql_ident(table.name) for table in tables)
        literals = ", ".join(sql_literal(table.name) for table in tables)
        dropped = "; ".join(f"tables.{table.name} ({len(table.fields)} fields)" for table in tables)
        self.migration.removals.append(
            Step(f"DROPS {dropped} and every record in them", f"DROP TABLE {names};")
        )
        if self.has_deltas:
            self.migration.removals += [
                Step("", f"DELETE FROM {log} WHERE table_name IN ({literals});")
                for log in ("nocode_count_deltas", "nocode_count_watermarks")
            ]

    def _add_record_events(self, kept: list[TableModel]) -> None:
        """The outbox of an app generated before record events, and the kept tables'
        triggers (new tables get theirs when they are made)."""
        self.migration.setup.append(
            Step("Record events: every write of a record leaves an event.", ddl.RECORD_EVENTS)
        )
        self.migration.changes += [
            Step(f"tables.{table.name}: records emit events", ddl.event_triggers(table))
            for table in kept
        ]

    def _add_count_deltas(self, kept: list[TableModel]) -> None:
        """The count deltas of an app generated before them, in place of its change
        counters, and the kept tables' triggers (new tables get theirs when they are made)."""
        self.migration.setup += [
            Step("Change counters replaced by count deltas.", ddl.DROP_CHANGE_COUNTERS),
            Step(
                "Count deltas: exact list counts follow writes without recounting.",
                ddl.COUNT_DELTAS,
            ),
        ]
        self.migration.changes += [
            Step(f"tables.{table.name}: writes log count deltas", ddl.count_triggers(table))
            for table in kept
        ]

    def _create_table(self, table: TableModel) -> None:
        statements = [
            ddl.create_table(table),
            *ddl.comments(table),
            *(ddl.create_index(table, index) for index in table.indexes),
            ddl.count_triggers(table),
            ddl.event_triggers(table),
        ]
        self.migration.changes.append(Step(f"tables.{table.name}: added", "\n".join(statements)))


def _columns(table: TableModel) -> list[tuple[str, str]]:
    """What a logged record holds: the names and types of the table's columns."""
    return [(field.name, str(field.sql_type)) for field in table.fields]
