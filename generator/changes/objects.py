"""The indexes and constraints a table's spec derives, compared by name between the
schema before and after a change: those that differ are dropped and made again."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from generator import ddl
from generator.appmodel import FieldModel, TableModel
from generator.changes.sql import dollar_quoted
from generator.indexes import sql_name
from generator.literals import sql_ident, sql_literal

ObjectKind = Literal["index", "unique", "check", "foreign_key"]

_PURPOSES = {"btree": "index for sorting and filters", "gin_trgm": "trigram index for search"}


@dataclass(frozen=True)
class DerivedObject:
    kind: ObjectKind
    name: str
    definition: str
    columns: tuple[str, ...]
    path: str
    unique: bool = False
    keys: tuple[str, ...] = ()  # what a unique one compares: `email` or `lower(email)`
    case_insensitive: bool = False
    purpose: str = ""  # of an index the spec does not declare: why the generator adds it

    @property
    def derived_index(self) -> bool:
        """An index the generator adds for sorting, filters or search (not a constraint)."""
        return bool(self.purpose)


def derived_objects(table: TableModel) -> list[DerivedObject]:
    """The table's indexes and constraints, in a stable order."""
    where = f"tables.{table.name}"
    fields = f"{where}.fields"
    objects = [
        DerivedObject(
            "index",
            index.name,
            ddl.create_index(table, index),
            index.columns,
            f"{where}.indexes.{index.name}" if index.declared else f"{fields}.{index.columns[0]}",
            unique=index.unique,
            keys=tuple(ddl.index_keys(index)),
            case_insensitive=bool(index.folded),
            purpose="" if index.declared or index.unique else _PURPOSES[index.method],
        )
        for index in table.indexes
    ]
    columns = dict(table.unique_constraints)
    objects += [
        DerivedObject(
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
    constraint_kinds: tuple[tuple[ObjectKind, dict[str, str]], ...] = (
        ("check", ddl.check_constraints(table)),
        ("foreign_key", ddl.foreign_key_constraints(table)),
    )
    for kind, constraints in constraint_kinds:
        for field_model in table.fields:
            suffix = "check" if kind == "check" else "fkey"
            name = sql_name(table.name, field_model.name, suffix)
            if name in constraints:
                objects.append(
                    DerivedObject(
                        kind,
                        name,
                        constraints[name],
                        (field_model.name,),
                        f"{fields}.{field_model.name}",
                    )
                )
    return objects


def rename(table: TableModel, old_name: str, renamed: DerivedObject) -> str:
    if renamed.kind == "index":
        return f"ALTER INDEX {sql_ident(old_name)} RENAME TO {sql_ident(renamed.name)};"
    return (
        f"ALTER TABLE {sql_ident(table.name)} RENAME CONSTRAINT {sql_ident(old_name)} "
        f"TO {sql_ident(renamed.name)};"
    )


def drop(table: TableModel, gone: DerivedObject) -> str:
    if gone.kind == "index":
        return f"DROP INDEX {sql_ident(gone.name)};"
    return f"ALTER TABLE {sql_ident(table.name)} DROP CONSTRAINT {sql_ident(gone.name)};"


def concurrently(create_index: str) -> str:
    """CREATE INDEX made concurrent and repeatable (the migrator drops invalid leftovers)."""
    return create_index.replace(" INDEX ", " INDEX CONCURRENTLY IF NOT EXISTS ", 1)


def unique_from_index(table: TableModel, name: str) -> str:
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
    return f"DO {dollar_quoted(body)};"


def comment_on_column(table: TableModel, column: FieldModel) -> str:
    return (
        f"COMMENT ON COLUMN {sql_ident(table.name)}.{sql_ident(column.name)} "
        f"IS {sql_literal(column.display_name)};"
    )
