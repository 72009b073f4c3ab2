"""Matching two specs by stable ids, once: a table, field or index keeps its `id` (which
defaults to its name) across a rename, so a new name under a kept id is a rename, a new id
an addition and a vanished one a drop. Everything else about a change is read from here."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from generator.spec.models import FieldSpec, IndexSpec, ProjectSpec, TableSpec

T = TypeVar("T")

_REUSED = (
    "onto a name another one has before this change; rename in two regenerations "
    "(first to a free name)"
)


@dataclass(frozen=True)
class Pair(Generic[T]):
    """An item of the new spec and, unless it was added, what it was in the old one."""

    name: str
    new: T
    old_name: str | None = None
    old: T | None = None


@dataclass(frozen=True)
class Matching(Generic[T]):
    pairs: tuple[Pair[T], ...]  # in the new spec's order
    dropped: tuple[tuple[str, T], ...]  # in the old spec's order

    def successor_names(self, old_names: list[str]) -> dict[str, str]:
        """Old name -> new name (a dropped item keeps its name)."""
        renamed = {pair.old_name: pair.name for pair in self.pairs if pair.old_name}
        return {name: renamed.get(name, name) for name in old_names}


def match(
    old: Mapping[str, T], new: Mapping[str, T], stable_id: Callable[[str, T], str]
) -> Matching[T]:
    before = {stable_id(name, item): (name, item) for name, item in old.items()}
    pairs = []
    kept = set()
    for name, item in new.items():
        key = stable_id(name, item)
        old_name, old_item = before.get(key, (None, None))
        if old_name is not None:
            kept.add(key)
        pairs.append(Pair(name, item, old_name, old_item))
    dropped = tuple((name, item) for key, (name, item) in before.items() if key not in kept)
    return Matching(tuple(pairs), dropped)


def _table_id(name: str, table: TableSpec) -> str:
    return table.id or name


def _field_id(name: str, field: FieldSpec) -> str:
    return field.id or name


def _index_id(name: str, index: IndexSpec) -> str:
    return index.id or name


def match_fields(old: TableSpec, new: TableSpec) -> Matching[FieldSpec]:
    return match(old.fields, new.fields, _field_id)


def match_indexes(old: TableSpec, new: TableSpec) -> Matching[IndexSpec]:
    return match(
        {index.name: index for index in old.indexes},
        {index.name: index for index in new.indexes},
        _index_id,
    )


@dataclass(frozen=True)
class SpecMatch:
    """The old and new specs, matched: tables, and in each kept table fields and indexes."""

    old: ProjectSpec
    new: ProjectSpec
    tables: Matching[TableSpec]
    fields: Mapping[str, Matching[FieldSpec]]  # by the table's new name
    indexes: Mapping[str, Matching[IndexSpec]]

    def name_reuse(self) -> dict[str, str]:
        """Path -> refusal of each rename onto a name something else had before."""
        reused: dict[str, str] = {}
        table_names = self.tables.successor_names(list(self.old.tables))
        reused |= _reused("tables", table_names)
        for pair in self.tables.pairs:
            if pair.old is not None:
                where = f"tables.{pair.name}"
                reused |= _reused(
                    f"{where}.fields", self.fields[pair.name].successor_names(list(pair.old.fields))
                )
                reused |= _reused(
                    f"{where}.indexes",
                    self.indexes[pair.name].successor_names([i.name for i in pair.old.indexes]),
                )
        return reused

    def old_renamed(self) -> ProjectSpec:
        """The old spec under the new spec's names: its objects then compare by name with
        the new spec's, and with the old spec's in order. Name reuse must be refused first."""
        table_names = self.tables.successor_names(list(self.old.tables))
        successors = {pair.old_name: pair.name for pair in self.tables.pairs if pair.old_name}
        tables: dict[str, TableSpec] = {}
        for name, table in self.old.tables.items():
            new_name = successors.get(name)
            fields = self.fields[new_name] if new_name else match(table.fields, {}, _field_id)
            indexes = (
                self.indexes[new_name]
                if new_name
                else match({i.name: i for i in table.indexes}, {}, _index_id)
            )
            field_names = fields.successor_names(list(table.fields))
            index_names = indexes.successor_names([index.name for index in table.indexes])
            tables[table_names[name]] = _renamed_table(
                name, table, table_names, field_names, index_names
            )
        return self.old.model_copy(update={"tables": tables})


def _renamed_table(
    name: str,
    table: TableSpec,
    table_names: dict[str, str],
    field_names: dict[str, str],
    index_names: dict[str, str],
) -> TableSpec:
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
    return table.model_copy(update={"id": table.id or name, "fields": fields, "indexes": indexes})


def _reused(where: str, names: dict[str, str]) -> dict[str, str]:
    return {
        f"{where}.{new}": f"from {old} {_REUSED}"
        for old, new in names.items()
        if old != new and new in names
    }


def match_specs(old: ProjectSpec, new: ProjectSpec) -> SpecMatch:
    tables = match(old.tables, new.tables, _table_id)
    kept = [pair for pair in tables.pairs if pair.old is not None]
    return SpecMatch(
        old=old,
        new=new,
        tables=tables,
        fields={pair.name: match_fields(pair.old, pair.new) for pair in kept if pair.old},
        indexes={pair.name: match_indexes(pair.old, pair.new) for pair in kept if pair.old},
    )
