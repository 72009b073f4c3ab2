"""Spec diff: what changed between the spec a repository was generated from and a new
one, matched by stable ids (a new name under a kept id is a rename, not a drop and an
add), each change classed by what applying it costs the database:

* additive: nothing is lost and no table is rewritten or scanned under a lock;
* locking: the change rewrites or scans a table, or needs an exclusive lock that waits
  for running transactions (the detail says which);
* destructive: data is lost.

A change the database cannot make safely carries a `refusal` saying why.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from generator.appmodel import CASE_INSENSITIVE_EMAILS, SCHEMA_REVISION
from generator.errors import SpecError
from generator.fieldtypes import column_type
from generator.plan import RECORDED_SPEC
from generator.spec import parse_spec
from generator.spec.models import (
    FieldSpec,
    FieldType,
    IndexSpec,
    IndexType,
    ProjectSpec,
    TableSpec,
)


class Safety(StrEnum):
    ADDITIVE = "additive"
    LOCKING = "locking"
    DESTRUCTIVE = "destructive"


@dataclass(frozen=True)
class Change:
    safety: Safety
    kind: str
    path: str
    detail: str = ""
    refusal: str | None = None

    def __str__(self) -> str:
        line = f"{self.safety.value:<11}  {self.kind}: {self.path}"
        if self.detail:
            line += f" ({self.detail})"
        if self.refusal:
            line += f"\n             REFUSED: {self.refusal}"
        return line


# Column type changes PostgreSQL makes without losing or refusing data, with the cost.
_VARCHAR = re.compile(r"^varchar\((\d+)\)$")
_TEXTUAL = ("text", "varchar")
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
# Settings that live only in the app (models, metadata), not in the database.
_APP_ONLY = (
    "display_name",
    "description",
    "is_readonly",
    "is_visible_in_list",
    "is_visible_in_form",
    "form_config",
    "list_config",
    "example",
)


def _base(sql_type: str) -> str:
    return "varchar" if _VARCHAR.match(sql_type) else sql_type.split("(")[0]


def _type_change(old: str, new: str) -> tuple[Safety, str, str | None]:
    """(safety, detail, refusal) of changing a column from `old` to `new`."""
    old_base, new_base = _base(old), _base(new)
    if old_base in _TEXTUAL and new_base in _TEXTUAL:
        old_length = _VARCHAR.match(old)
        new_length = _VARCHAR.match(new)
        if new_length is None or (
            old_length is not None and int(new_length[1]) >= int(old_length[1])
        ):
            return Safety.ADDITIVE, f"{old} -> {new}: no rewrite", None
        return (
            Safety.LOCKING,
            f"{old} -> {new}: scans the table under an exclusive lock",
            None,
        )
    target = "text" if new_base in _TEXTUAL else new_base
    if (old_base, target) in _SAFE_CASTS or old_base == new_base == "numeric":
        detail = f"{old} -> {new}: rewrites the table (USING {new_base})"
        if new_base == "varchar" or old_base == new_base == "numeric":
            detail += "; fails if a value does not fit"
        return Safety.LOCKING, detail, None
    return (
        Safety.LOCKING,
        f"{old} -> {new}",
        f"no safe conversion from {old} to {new}; add a new field and copy the data yourself",
    )


def _keyed(items: dict[str, Any]) -> dict[str, tuple[str, Any]]:
    return {item.id or name: (name, item) for name, item in items.items()}


def diff_specs(
    old: ProjectSpec, new: ProjectSpec, old_revision: int = SCHEMA_REVISION
) -> list[Change]:
    """The changes from `old`, whose schema a generator of `old_revision` made, to `new`."""
    changes: list[Change] = []
    if old.project.id != new.project.id:
        changes.append(
            Change(
                Safety.DESTRUCTIVE,
                "project id changed",
                "project.id",
                f"{old.project.id} -> {new.project.id}",
                "the project id is part of every API address and cannot change",
            )
        )
    old_tables = _keyed(old.tables)
    new_ids = set()
    for name, table in new.tables.items():
        stable_id = table.id or name
        new_ids.add(stable_id)
        if stable_id not in old_tables:
            changes.append(
                Change(
                    Safety.ADDITIVE, "table added", f"tables.{name}", f"{len(table.fields)} fields"
                )
            )
            continue
        old_name, old_table = old_tables[stable_id]
        changes.extend(_table_changes(old_name, old_table, name, table))
        if old_revision < CASE_INSENSITIVE_EMAILS:
            changes.extend(_case_folding(f"tables.{name}", old_table, table))
    for stable_id, (old_name, old_table) in old_tables.items():
        if stable_id not in new_ids:
            changes.append(
                Change(
                    Safety.DESTRUCTIVE,
                    "table dropped",
                    f"tables.{old_name}",
                    f"its {len(old_table.fields)} fields and every record are lost",
                )
            )
    return changes


def _table_changes(old_name: str, old: TableSpec, name: str, new: TableSpec) -> list[Change]:
    where = f"tables.{name}"
    changes: list[Change] = []
    if old_name != name:
        changes.append(
            Change(
                Safety.LOCKING,
                "table renamed",
                where,
                f"from {old_name}: ALTER TABLE RENAME, a brief exclusive lock, no rewrite",
            )
        )
    old_fields = _keyed(old.fields)
    new_ids = set()
    for field_name, field in new.fields.items():
        stable_id = field.id or field_name
        new_ids.add(stable_id)
        path = f"{where}.fields.{field_name}"
        if stable_id not in old_fields:
            changes.append(_field_added(path, field))
            continue
        previous_name, previous = old_fields[stable_id]
        changes.extend(_field_changes(path, previous_name, previous, field_name, field))
    for stable_id, (old_field_name, old_field) in old_fields.items():
        if stable_id not in new_ids:
            changes.append(
                Change(
                    Safety.DESTRUCTIVE,
                    "field dropped",
                    f"{where}.fields.{old_field_name}",
                    f"{column_type(old_field)}: its values are lost",
                )
            )
    changes.extend(_index_changes(where, old, new))
    if old.permissions != new.permissions:
        changes.append(
            Change(Safety.ADDITIVE, "permissions changed", f"{where}.permissions", "app only")
        )
    if (old.display_name, old.icon, old.description) != (
        new.display_name,
        new.icon,
        new.description,
    ):
        changes.append(Change(Safety.ADDITIVE, "table settings changed", where, "app only"))
    return changes


def _field_added(path: str, field: FieldSpec) -> Change:
    sql_type = column_type(field)
    if field.is_required and field.default_value is None:
        return Change(
            Safety.ADDITIVE,
            "field added",
            path,
            f"{sql_type} NOT NULL without a default_value: fails on a table with records; "
            "give it a default_value, which existing records take",
        )
    detail = f"{sql_type}" + (" NOT NULL with a default" if field.is_required else ", nullable")
    if field.field_type == FieldType.RELATION and field.relation is not None:
        detail += f", foreign key to {field.relation.table} checked without blocking writes"
    if field.is_unique:
        detail += ", unique index built concurrently"
        if field.field_type == FieldType.EMAIL:
            detail += " (regardless of case)"
    return Change(Safety.ADDITIVE, "field added", path, detail)


def _field_changes(
    path: str, old_name: str, old: FieldSpec, name: str, new: FieldSpec
) -> list[Change]:
    changes: list[Change] = []
    if old_name != name:
        changes.append(
            Change(
                Safety.LOCKING,
                "field renamed",
                path,
                f"from {old_name}: ALTER TABLE RENAME COLUMN, a brief exclusive lock, values kept",
            )
        )
    old_type, new_type = column_type(old), column_type(new)
    if old.field_type == FieldType.RELATION or new.field_type == FieldType.RELATION:
        if old.field_type != new.field_type:
            changes.append(
                Change(
                    Safety.LOCKING,
                    "type changed",
                    path,
                    f"{old.field_type} -> {new.field_type}",
                    "a relation cannot become another type or the reverse; add a new field",
                )
            )
        elif old.relation != new.relation:
            changes.append(
                Change(
                    Safety.ADDITIVE,
                    "relation changed",
                    path,
                    "foreign key replaced, checked without blocking writes",
                )
            )
    elif old_type != new_type:
        safety, detail, refusal = _type_change(old_type, new_type)
        changes.append(Change(safety, "type changed", path, detail, refusal))
    if not old.is_required and new.is_required:
        fill = (
            "records without a value take the default_value"
            if new.default_value is not None
            else "fails if a record has no value: give the field a default_value"
        )
        changes.append(
            Change(
                Safety.LOCKING,
                "made required",
                path,
                f"NOT NULL checked by a scan (CHECK NOT VALID, then VALIDATE); {fill}",
            )
        )
    elif old.is_required and not new.is_required:
        changes.append(Change(Safety.ADDITIVE, "made optional", path, "DROP NOT NULL"))
    if old.default_value != new.default_value:
        changes.append(Change(Safety.ADDITIVE, "default changed", path, "new records only"))
    if old.is_unique != new.is_unique:
        changes.append(
            Change(
                Safety.ADDITIVE,
                "unique added" if new.is_unique else "unique dropped",
                path,
                (
                    "index built concurrently; fails listing the duplicates if there are any"
                    + (" (regardless of case)" if new.field_type == FieldType.EMAIL else "")
                    if new.is_unique
                    else "constraint dropped"
                ),
            )
        )
    if old.choices != new.choices and old.choices and new.choices:
        removed = sorted(set(old.choices) - set(new.choices))
        changes.append(
            Change(
                Safety.LOCKING if removed else Safety.ADDITIVE,
                "choices changed",
                path,
                (
                    f"check replaced; removed: {', '.join(removed)}; fails if a record holds one"
                    if removed
                    else "check replaced (NOT VALID, then VALIDATE)"
                ),
            )
        )
    old_rules = old.validation.model_dump(exclude={"max_length", "max_digits", "decimal_places"})
    new_rules = new.validation.model_dump(exclude={"max_length", "max_digits", "decimal_places"})
    changed = [key for key in _APP_ONLY if getattr(old, key) != getattr(new, key)]
    changed += [f"validation.{key}" for key in old_rules if old_rules[key] != new_rules[key]]
    if changed:
        changes.append(
            Change(
                Safety.ADDITIVE, "field settings changed", path, "app only: " + ", ".join(changed)
            )
        )
    return changes


_FOLDING = (
    "unique index on lower(email) built concurrently, the old one dropped; "
    "fails listing the values several records hold regardless of case"
)


def _case_folding(where: str, old: TableSpec, new: TableSpec) -> list[Change]:
    """Unique emails kept by a generator that compared them with their case: now without."""
    emails = {name for name, field in new.fields.items() if field.field_type == FieldType.EMAIL}
    before = _keyed(old.fields)
    old_indexes = {index.id or index.name: index for index in old.indexes}
    changes = []
    indexed = set()
    for index in new.indexes:
        previous = old_indexes.get(index.id or index.name)
        if index.type == IndexType.UNIQUE and emails & set(index.fields) and previous:
            if _index_shape(old, previous) == _index_shape(new, index):
                changes.append(
                    Change(
                        Safety.ADDITIVE,
                        "index made case-insensitive",
                        f"{where}.indexes.{index.name}",
                        _FOLDING,
                    )
                )
            if len(index.fields) == 1:
                indexed.add(index.fields[0])
    for name in sorted(emails - indexed, key=list(new.fields).index):
        field = new.fields[name]
        previous_field = before.get(field.id or name, ("", None))[1]
        if field.is_unique and previous_field is not None and previous_field.is_unique:
            changes.append(
                Change(
                    Safety.ADDITIVE,
                    "unique made case-insensitive",
                    f"{where}.fields.{name}",
                    _FOLDING,
                )
            )
    return changes


def _index_shape(table: TableSpec, index: IndexSpec) -> tuple[str, tuple[str, ...]]:
    """An index as its type and its columns' stable ids: renaming a column keeps it."""
    ids = {name: field.id or name for name, field in table.fields.items()}
    return index.type.value, tuple(ids.get(name, name) for name in index.fields)


def _index_changes(where: str, old: TableSpec, new: TableSpec) -> list[Change]:
    changes: list[Change] = []
    old_indexes = {index.id or index.name: index for index in old.indexes}
    new_indexes = {index.id or index.name: index for index in new.indexes}
    for stable_id, index in new_indexes.items():
        path = f"{where}.indexes.{index.name}"
        before = old_indexes.get(stable_id)
        if before is None:
            detail = "built concurrently" + (
                "; fails listing the duplicates if there are any" if index.type == "unique" else ""
            )
            changes.append(Change(Safety.ADDITIVE, "index added", path, detail))
        elif _index_shape(old, before) != _index_shape(new, index):
            changes.append(Change(Safety.ADDITIVE, "index changed", path, "rebuilt concurrently"))
        elif before.name != index.name:
            changes.append(Change(Safety.ADDITIVE, "index renamed", path, f"from {before.name}"))
    for stable_id, index in old_indexes.items():
        if stable_id not in new_indexes:
            changes.append(
                Change(
                    Safety.ADDITIVE,
                    "index dropped",
                    f"{where}.indexes.{index.name}",
                    "no data lost",
                )
            )
    return changes


def describe(old: ProjectSpec, new: ProjectSpec, changes: list[Change]) -> str:
    """The plan as `nocode diff` prints it: a header, then one change a line."""
    header = (
        f"{new.project.slug}: {old.project.version} -> {new.project.version}, "
        f"{len(changes)} change{'s' if len(changes) != 1 else ''}"
    )
    return "\n".join([header, *(str(change) for change in changes)]) + "\n"


@dataclass(frozen=True)
class Recorded:
    """What a repository was generated from: its spec, by a generator of which schema
    revision (1 when not recorded: repositories older than revisions)."""

    spec: ProjectSpec
    schema_revision: int


def recorded_spec(repository: Path) -> Recorded:
    """The spec a repository was generated from (its nocode.spec.json)."""
    path = repository / RECORDED_SPEC
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        spec, revision = document["spec"], document["generated_by"].get("schema_revision", 1)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise SpecError(f"{path}: no recorded spec to compare with ({error})") from None
    return Recorded(parse_spec(spec), int(revision))
