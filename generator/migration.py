"""Migrations: the SQL that takes a database from the spec a repository was generated from
to a new spec, keeping every record.

A migration file has two parts:

1. one transaction, applied all or nothing: renames, drops, column changes, new tables,
   checks that stop the migration with a clear message when the data does not allow a
   change (duplicates under a new unique constraint, records without a value for a field
   made required, ...), and new constraints added NOT VALID (no scan under a lock);
2. after the `-- nocode:concurrently` line, statements the app's migrator runs one at a
   time outside any transaction, so that writes go on meanwhile: CREATE INDEX
   CONCURRENTLY, VALIDATE CONSTRAINT, SET NOT NULL proven by a validated check. Each is
   safe to run again should the migration stop midway.

How: the old spec is first given the new spec's names (matched by stable ids), so that
the database objects before and after compare by name; those that differ are dropped and
created again. The renames themselves come from comparing the old spec's objects with
the same spec under the new names, in order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from generator import ddl
from generator.appmodel import SCHEMA_REVISION, FieldModel, TableModel, build_project, sql_name
from generator.diff import Change, Safety, describe
from generator.errors import Issue, PlanError
from generator.literals import one_line, sql_ident, sql_literal
from generator.plan import RECORDED_SPEC
from generator.spec.models import ProjectSpec, TableSpec
from generator.version import GENERATOR_VERSION

CONCURRENT_MARKER = "-- nocode:concurrently"
LOCK_TIMEOUT = "5s"
_SAMPLES = 5  # offending values a failed check names


@dataclass(frozen=True)
class Step:
    comment: str
    sql: str

    def __str__(self) -> str:
        return f"-- {one_line(self.comment)}\n{self.sql}" if self.comment else self.sql


@dataclass
class Migration:
    """The statements of a migration, in the phases they run in."""

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


@dataclass(frozen=True)
class _Object:
    """A database object derived from the spec: an index or a table constraint."""

    kind: str  # "index", "unique", "check" or "foreign_key"
    name: str
    definition: str
    columns: tuple[str, ...]
    path: str
    unique: bool = False
    keys: tuple[str, ...] = ()  # what a unique one compares: `email` or `lower(email)`
    case_insensitive: bool = False


def plan_migration(
    old: ProjectSpec, new: ProjectSpec, old_revision: int = SCHEMA_REVISION
) -> Migration:
    """The migration from `old`, whose schema a generator of `old_revision` made, to `new`;
    refused changes must have been reported before."""
    renamed = _with_new_names(old, new)
    writer = _Writer(
        before={t.stable_id: t for t in build_project(old, old_revision).tables},
        renamed={t.stable_id: t for t in build_project(renamed, old_revision).tables},
        after={t.stable_id: t for t in build_project(new).tables},
    )
    return writer.write()


def _with_new_names(old: ProjectSpec, new: ProjectSpec) -> ProjectSpec:
    """`old` with the names `new` gives its tables, fields and indexes (same stable ids)."""
    successors = {table.id or name: (name, table) for name, table in new.tables.items()}
    table_names = {
        name: successors.get(table.id or name, (name, None))[0]
        for name, table in old.tables.items()
    }
    issues = _name_reuse("tables", table_names)
    tables: dict[str, TableSpec] = {}
    for name, table in old.tables.items():
        successor = successors.get(table.id or name, (name, None))[1]
        field_names = _successor_names(
            {n: f.id or n for n, f in table.fields.items()},
            {f.id or n: n for n, f in successor.fields.items()} if successor else {},
        )
        index_names = _successor_names(
            {i.name: i.id or i.name for i in table.indexes},
            {i.id or i.name: i.name for i in successor.indexes} if successor else {},
        )
        issues += _name_reuse(f"tables.{table_names[name]}.fields", field_names)
        issues += _name_reuse(f"tables.{table_names[name]}.indexes", index_names)
        fields = {}
        for field_name, spec_field in table.fields.items():
            update: dict[str, object] = {"id": spec_field.id or field_name}
            if spec_field.relation is not None:
                target = table_names.get(spec_field.relation.table, spec_field.relation.table)
                update["relation"] = spec_field.relation.model_copy(update={"table": target})
            fields[field_names[field_name]] = spec_field.model_copy(update=update)
        indexes = [
            index.model_copy(
                update={
                    "id": index.id or index.name,
                    "name": index_names[index.name],
                    "fields": [field_names.get(column, column) for column in index.fields],
                }
            )
            for index in table.indexes
        ]
        tables[table_names[name]] = table.model_copy(
            update={"id": table.id or name, "fields": fields, "indexes": indexes}
        )
    if issues:
        raise PlanError(issues)
    return old.model_copy(update={"tables": tables})


def _successor_names(old_ids: dict[str, str], new_names: dict[str, str]) -> dict[str, str]:
    """Old name -> new name, for names keyed by stable id (unmatched names stay)."""
    return {name: new_names.get(stable_id, name) for name, stable_id in old_ids.items()}


def _name_reuse(where: str, names: dict[str, str]) -> list[Issue]:
    """A rename onto a name that something else has now needs two steps: refuse it."""
    return [
        Issue(
            f"{where}.{new}",
            f"renamed from {old} onto a name another one has before this change; "
            "rename in two regenerations (first to a free name)",
        )
        for old, new in names.items()
        if old != new and new in names
    ]


class _Writer:
    def __init__(
        self,
        before: dict[str, TableModel],
        renamed: dict[str, TableModel],
        after: dict[str, TableModel],
    ) -> None:
        self.before, self.renamed, self.after = before, renamed, after
        self.migration = Migration()

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
                Step(
                    "",
                    f"UPDATE nocode_changes SET table_name = {sql_literal(new.name)} "
                    f"WHERE table_name = {sql_literal(old.name)};",
                ),
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
        for before_object, after_object in zip(_objects(old), _objects(new), strict=True):
            if before_object.name != after_object.name:
                steps.append(Step("", _rename_object(new, before_object.name, after_object)))
        trigger, renamed_trigger = sql_name(old.name, "changes"), sql_name(new.name, "changes")
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
        before = {o.name: o for o in _objects(old)}
        after = {o.name: o for o in _objects(new)}
        for name, gone in before.items():
            if after.get(name) != gone:
                self.migration.drops.append(
                    Step(f"{gone.path}: replaced or dropped", _drop(new, gone))
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
                self._create_object(new, made)
        if (old.description or old.display_name) != (new.description or new.display_name):
            self.migration.changes.append(Step("", ddl.comments(new)[0]))

    def _add_column(self, table: TableModel, added: FieldModel) -> None:
        path = f"tables.{table.name}.fields.{added.name}"
        if added.is_required and not added.has_default:
            self.migration.checks_before.append(
                _stop_if_found(
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
            Step("", _comment_on_column(table, added)),
        ]

    def _alter_column(self, table: TableModel, old: FieldModel, new: FieldModel) -> None:
        path = f"tables.{table.name}.fields.{new.name}"
        name = sql_ident(table.name)
        column = sql_ident(new.name)
        alter = f"ALTER TABLE {name} ALTER COLUMN {column}"
        if old.sql_type != new.sql_type:
            self._fit_check(table, old, new, path)
            using = "" if _textual(new.sql_type) else f" USING {column}::{new.sql_type}"
            self.migration.changes.append(
                Step(
                    f"{path}: {old.sql_type} -> {new.sql_type}",
                    f"{alter} TYPE {new.sql_type}{using};",
                )
            )
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
            self.migration.changes.append(Step("", _comment_on_column(table, new)))

    def _fit_check(self, table: TableModel, old: FieldModel, new: FieldModel, path: str) -> None:
        """Stop before a type change that would refuse or round some value, naming them."""
        column = sql_ident(new.name)
        length = _varchar_length(new.sql_type)
        precision = _numeric_precision(new.sql_type)
        if _widens(old.sql_type, new.sql_type):
            return
        if length is not None:
            condition = f"length({column}::text) > {length}"
            problem = f"longer than {length} characters"
        elif precision is not None:
            digits, places = precision
            limit = Decimal(10) ** (digits - places)
            condition = (
                f"round({column}::numeric, {places}) <> {column}::numeric "
                f"OR abs({column}::numeric) >= {limit}"
            )
            problem = f"not fitting {digits} digits with {places} decimal places"
        else:
            return
        self.migration.checks_before.append(
            _stop_if_found(
                f"SELECT id::text AS sample FROM {sql_ident(table.name)} WHERE {condition}",
                f"{path}: records hold values {problem} (ids); change them first",
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
                _stop_if_found(
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

    def _create_object(self, table: TableModel, made: _Object) -> None:
        name = sql_ident(table.name)
        if made.unique:
            self.migration.checks_after.append(_duplicates_check(table, made))
        if made.kind == "index":
            self.migration.concurrently.append(
                Step(f"{made.path}: built without blocking writes", _concurrently(made.definition))
            )
        elif made.kind == "unique":
            index = sql_ident(made.name)
            columns = ", ".join(sql_ident(column) for column in made.columns)
            self.migration.concurrently += [
                Step(
                    f"{made.path}: unique, its index built without blocking writes",
                    _concurrently(f"CREATE UNIQUE INDEX {index} ON {name} ({columns});"),
                ),
                Step("", _unique_from_index(table, made.name)),
            ]
        else:
            if made.kind == "check":
                self.migration.checks_after.append(_choices_check(table, made))
            else:
                self.migration.checks_after.append(_orphans_check(table, made, self.after))
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
        self.migration.removals += [
            Step(f"DROPS {dropped} and every record in them", f"DROP TABLE {names};"),
            Step("", f"DELETE FROM nocode_changes WHERE table_name IN ({literals});"),
        ]

    def _create_table(self, table: TableModel) -> None:
        statements = [
            ddl.create_table(table),
            *ddl.comments(table),
            *(ddl.create_index(table, index) for index in table.indexes),
            ddl.change_trigger(table),
        ]
        self.migration.changes.append(Step(f"tables.{table.name}: added", "\n".join(statements)))


def _objects(table: TableModel) -> list[_Object]:
    """The table's indexes and constraints, in a stable order."""
    where = f"tables.{table.name}"
    fields = f"{where}.fields"
    objects = [
        _Object(
            "index",
            index.name,
            ddl.create_index(table, index),
            index.columns,
            f"{where}.indexes.{index.name}" if index.declared else f"{fields}.{index.columns[0]}",
            unique=index.unique,
            keys=tuple(ddl.index_keys(index)),
            case_insensitive=bool(index.folded),
        )
        for index in table.indexes
    ]
    columns = dict(table.unique_constraints)
    objects += [
        _Object(
            "unique",
            name,
            definition,
            (columns[name],),
            f"{fields}.{columns[name]}",
            unique=True,
            keys=(sql_ident(columns[name]),),
        )
        for name, definition in ddl.unique_constraints(table).items()
    ]
    for kind, constraints in (
        ("check", ddl.check_constraints(table)),
        ("foreign_key", ddl.foreign_key_constraints(table)),
    ):
        for field_model in table.fields:
            suffix = "check" if kind == "check" else "fkey"
            name = sql_name(table.name, field_model.name, suffix)
            if name in constraints:
                objects.append(
                    _Object(
                        kind,
                        name,
                        constraints[name],
                        (field_model.name,),
                        f"{fields}.{field_model.name}",
                    )
                )
    return objects


def _rename_object(table: TableModel, old_name: str, renamed: _Object) -> str:
    if renamed.kind == "index":
        return f"ALTER INDEX {sql_ident(old_name)} RENAME TO {sql_ident(renamed.name)};"
    return (
        f"ALTER TABLE {sql_ident(table.name)} RENAME CONSTRAINT {sql_ident(old_name)} "
        f"TO {sql_ident(renamed.name)};"
    )


def _drop(table: TableModel, gone: _Object) -> str:
    if gone.kind == "index":
        return f"DROP INDEX {sql_ident(gone.name)};"
    return f"ALTER TABLE {sql_ident(table.name)} DROP CONSTRAINT {sql_ident(gone.name)};"


def _concurrently(create_index: str) -> str:
    """CREATE INDEX made concurrent and repeatable (the migrator drops invalid leftovers)."""
    return create_index.replace(" INDEX ", " INDEX CONCURRENTLY IF NOT EXISTS ", 1)


def _unique_from_index(table: TableModel, name: str) -> str:
    """Attach the unique index built concurrently as the constraint, once."""
    constraint = sql_ident(name)
    body = (
        "BEGIN\n"
        "    IF NOT EXISTS (SELECT FROM pg_constraint WHERE conrelid = "
        f"{sql_literal(table.name)}::regclass AND conname = {sql_literal(name)}) THEN\n"
        f"        ALTER TABLE {sql_ident(table.name)} ADD CONSTRAINT {constraint} "
        f"UNIQUE USING INDEX {constraint};\n"
        "    END IF;\n"
        "END"
    )
    return f"DO {_dollar_quoted(body)};"


def _comment_on_column(table: TableModel, column: FieldModel) -> str:
    return (
        f"COMMENT ON COLUMN {sql_ident(table.name)}.{sql_ident(column.name)} "
        f"IS {sql_literal(column.display_name)};"
    )


# Checks that stop a migration with a message naming the spec path and the values --------


def _stop_if_found(query: str, message: str) -> Step:
    """A DO block raising `message: <samples>` when `query` (a `sample` column) has rows."""
    body = (
        "DECLARE\n"
        "    found text;\n"
        "BEGIN\n"
        "    SELECT string_agg(sample, ', ') INTO found\n"
        f"    FROM ({query} LIMIT {_SAMPLES}) AS problem;\n"
        "    IF found IS NOT NULL THEN\n"
        f"        RAISE EXCEPTION '%', {sql_literal(message + ': ')} || found;\n"
        "    END IF;\n"
        "END"
    )
    return Step(
        message.split(":")[0] + ": stop here if the data does not allow it",
        f"DO {_dollar_quoted(body)};",
    )


def _duplicates_check(table: TableModel, made: _Object) -> Step:
    keys = ", ".join(made.keys)
    present = " AND ".join(f"{sql_ident(column)} IS NOT NULL" for column in made.columns)
    sample = (
        f"quote_literal({keys}::text)"
        if len(made.keys) == 1
        else f"quote_literal(ROW({keys})::text)"
    )
    case = " (regardless of case)" if made.case_insensitive else ""
    return _stop_if_found(
        f"SELECT {sample} AS sample FROM {sql_ident(table.name)} WHERE {present} "
        f"GROUP BY {keys} HAVING count(*) > 1",
        f"{made.path}: unique now, but several records hold each of these values{case}",
    )


def _choices_check(table: TableModel, made: _Object) -> Step:
    column = sql_ident(made.columns[0])
    choices = next(f.choices for f in table.fields if f.name == made.columns[0]) or ()
    allowed = ", ".join(sql_literal(choice) for choice in choices)
    return _stop_if_found(
        f"SELECT DISTINCT quote_literal({column}) AS sample FROM {sql_ident(table.name)} "
        f"WHERE {column} NOT IN ({allowed})",
        f"{made.path}: records hold values that are no longer choices",
    )


def _orphans_check(table: TableModel, made: _Object, tables: dict[str, TableModel]) -> Step:
    column = sql_ident(made.columns[0])
    target = next(f.relation_table for f in table.fields if f.name == made.columns[0])
    return _stop_if_found(
        f"SELECT DISTINCT child.{column}::text AS sample FROM {sql_ident(table.name)} AS child "
        f"WHERE child.{column} IS NOT NULL AND NOT EXISTS "
        f"(SELECT FROM {sql_ident(str(target))} AS parent WHERE parent.id = child.{column})",
        f"{made.path}: records refer to {target} ids that do not exist",
    )


def _dollar_quoted(body: str) -> str:
    """`body` between dollar quotes whose tag it does not contain (spec values may hold $$)."""
    tag, number = "$nocode$", 0
    while tag in body:
        number += 1
        tag = f"$nocode{number}$"
    return f"{tag}\n{body}\n{tag}"


def _widens(old: str, new: str) -> bool:
    """Whether every value of type `old` fits type `new` unchanged."""
    old_length, new_length = _varchar_length(old), _varchar_length(new)
    if old_length is not None and new_length is not None:
        return new_length >= old_length
    old_precision, new_precision = _numeric_precision(old), _numeric_precision(new)
    if old_precision is not None and new_precision is not None:
        (old_digits, old_places), (new_digits, new_places) = old_precision, new_precision
        return new_places >= old_places and new_digits - new_places >= old_digits - old_places
    return False


def _textual(sql_type: str) -> bool:
    return sql_type == "text" or sql_type.startswith("varchar(")


def _varchar_length(sql_type: str) -> int | None:
    return int(sql_type[8:-1]) if sql_type.startswith("varchar(") else None


def _numeric_precision(sql_type: str) -> tuple[int, int] | None:
    if not sql_type.startswith("numeric("):
        return None
    digits, places = sql_type[8:-1].split(",")
    return int(digits), int(places)


def migration_header(
    version: str, old: ProjectSpec, new: ProjectSpec, changes: list[Change]
) -> list[str]:
    """The comment a migration file opens with: what it does, and the plan it carries out."""
    strongest = max(
        (change.safety for change in changes),
        key=[Safety.ADDITIVE, Safety.LOCKING, Safety.DESTRUCTIVE].index,
        default=Safety.ADDITIVE,
    )
    plan = describe(old, new, changes).splitlines()
    return [
        f"Migration {version}: {plan[0]}",
        f"Written by nocode {GENERATOR_VERSION} from {RECORDED_SPEC}; applied by "
        "`python -m app migrate`.",
        "Regeneration never rewrites it: later spec changes go into later migrations.",
        f"Class: {strongest.value} (the strongest of its changes).",
        "",
        *(f"  {line}" for line in plan[1:]),
    ]
