"""The change list: every difference between two matched specs, classed, with the
refusal of those the database cannot make safely."""

from __future__ import annotations

from dataclasses import replace

from generator.changes.conversions import Conversion
from generator.changes.matching import Matching, SpecMatch
from generator.changes.model import Change, Renamed, Safety
from generator.fieldtypes import column_type
from generator.indexes import CASE_INSENSITIVE_EMAILS, COUNT_DELTAS, RECORD_EVENTS
from generator.spec.models import FieldSpec, FieldType, IndexSpec, IndexType, TableSpec

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


def classify(matched: SpecMatch, old_revision: int) -> list[Change]:
    """The changes from `matched.old`, whose schema a generator of `old_revision` made, to
    `matched.new`, in a stable order: tables in the new spec's order, then drops."""
    old, new = matched.old, matched.new
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
    for pair in matched.tables.pairs:
        where = f"tables.{pair.name}"
        if pair.old is None or pair.old_name is None:
            changes.append(
                Change(Safety.ADDITIVE, "table added", where, f"{len(pair.new.fields)} fields")
            )
            continue
        changes += _table_changes(matched, pair.old_name, pair.old, pair.name, pair.new)
        changes += _case_folding(
            where, matched.fields[pair.name], matched.indexes[pair.name], old_revision
        )
    if old_revision < RECORD_EVENTS:
        changes.append(
            Change(
                Safety.ADDITIVE,
                "record events added",
                "tables",
                "the outbox nocode_events, written by a trigger on every table",
            )
        )
    if old_revision < COUNT_DELTAS:
        changes.append(
            Change(
                Safety.ADDITIVE,
                "count deltas added",
                "tables",
                "exact list counts follow writes through nocode_count_deltas, written by "
                "triggers on every table; the change counters of nocode_changes are dropped",
            )
        )
    changes += [
        Change(
            Safety.DESTRUCTIVE,
            "table dropped",
            f"tables.{name}",
            f"its {len(table.fields)} fields and every record are lost",
        )
        for name, table in matched.tables.dropped
    ]
    return _refuse_name_reuse(changes, matched.name_reuse())


def _refuse_name_reuse(changes: list[Change], reused: dict[str, str]) -> list[Change]:
    """Attach the refusal of a rename onto a name in use to the change at its path."""
    refused = []
    for change in changes:
        refusal = reused.pop(change.path, None)
        if refusal is not None and change.refusal is None:
            change = replace(change, refusal=refusal)
        refused.append(change)
    return refused + [
        Change(Safety.LOCKING, "renamed", path, "", refusal) for path, refusal in reused.items()
    ]


def _table_changes(
    matched: SpecMatch, old_name: str, old: TableSpec, name: str, new: TableSpec
) -> list[Change]:
    where = f"tables.{name}"
    changes: list[Change] = []
    if old_name != name:
        changes.append(
            Change(
                Safety.LOCKING,
                "table renamed",
                where,
                f"from {old_name}: ALTER TABLE RENAME, a brief exclusive lock, no rewrite",
                renamed=Renamed(name, old_name, name, column=False),
            )
        )
    fields = matched.fields[name]
    for pair in fields.pairs:
        path = f"{where}.fields.{pair.name}"
        if pair.old is None or pair.old_name is None:
            changes.append(_field_added(path, pair.new))
        else:
            changes += _field_changes(name, pair.old_name, pair.old, pair.name, pair.new)
    changes += [
        Change(
            Safety.DESTRUCTIVE,
            "field dropped",
            f"{where}.fields.{field_name}",
            f"{column_type(field)}: its values are lost",
        )
        for field_name, field in fields.dropped
    ]
    changes += _index_changes(where, old, new, matched.indexes[name])
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
    table: str, old_name: str, old: FieldSpec, name: str, new: FieldSpec
) -> list[Change]:
    path = f"tables.{table}.fields.{name}"
    changes: list[Change] = []
    if old_name != name:
        changes.append(
            Change(
                Safety.LOCKING,
                "field renamed",
                path,
                f"from {old_name}: ALTER TABLE RENAME COLUMN, a brief exclusive lock, values kept",
                renamed=Renamed(table, old_name, name, column=True),
            )
        )
    changes += _type_changes(path, old, new)
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
        changes.append(_uniqueness_changed(path, new))
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
    changes += _app_only_changes(path, old, new)
    return changes


def _type_changes(path: str, old: FieldSpec, new: FieldSpec) -> list[Change]:
    if FieldType.RELATION in (old.field_type, new.field_type):
        if old.field_type != new.field_type:
            return [
                Change(
                    Safety.LOCKING,
                    "type changed",
                    path,
                    f"{old.field_type} -> {new.field_type}",
                    "a relation cannot become another type or the reverse; add a new field",
                )
            ]
        if old.relation != new.relation:
            return [
                Change(
                    Safety.ADDITIVE,
                    "relation changed",
                    path,
                    "foreign key replaced, checked without blocking writes",
                )
            ]
        return []
    conversion = Conversion(column_type(old), column_type(new))
    if conversion.old == conversion.new:
        return []
    safety, detail, refusal = conversion.judgement
    return [Change(safety, "type changed", path, detail, refusal)]


def _uniqueness_changed(path: str, new: FieldSpec) -> Change:
    if not new.is_unique:
        return Change(Safety.ADDITIVE, "unique dropped", path, "constraint dropped")
    detail = "index built concurrently; fails listing the duplicates if there are any"
    if new.field_type == FieldType.EMAIL:
        detail += " (regardless of case)"
    return Change(Safety.ADDITIVE, "unique added", path, detail)


def _app_only_changes(path: str, old: FieldSpec, new: FieldSpec) -> list[Change]:
    in_columns = {"max_length", "max_digits", "decimal_places"}
    old_rules = old.validation.model_dump(exclude=in_columns)
    new_rules = new.validation.model_dump(exclude=in_columns)
    changed = [key for key in _APP_ONLY if getattr(old, key) != getattr(new, key)]
    changed += [f"validation.{key}" for key in old_rules if old_rules[key] != new_rules[key]]
    if not changed:
        return []
    return [
        Change(Safety.ADDITIVE, "field settings changed", path, "app only: " + ", ".join(changed))
    ]


def _index_shape(table: TableSpec, index: IndexSpec) -> tuple[str, tuple[str, ...]]:
    """An index as its type and its columns' stable ids: renaming a column keeps it."""
    ids = {name: field.id or name for name, field in table.fields.items()}
    return index.type.value, tuple(ids.get(name, name) for name in index.fields)


def _index_changes(
    where: str, old: TableSpec, new: TableSpec, indexes: Matching[IndexSpec]
) -> list[Change]:
    changes: list[Change] = []
    for pair in indexes.pairs:
        path = f"{where}.indexes.{pair.name}"
        if pair.old is None:
            detail = "built concurrently" + (
                "; fails listing the duplicates if there are any"
                if pair.new.type == IndexType.UNIQUE
                else ""
            )
            changes.append(Change(Safety.ADDITIVE, "index added", path, detail))
        elif _index_shape(old, pair.old) != _index_shape(new, pair.new):
            changes.append(Change(Safety.ADDITIVE, "index changed", path, "rebuilt concurrently"))
        elif pair.old_name != pair.name:
            changes.append(Change(Safety.ADDITIVE, "index renamed", path, f"from {pair.old_name}"))
    changes += [
        Change(Safety.ADDITIVE, "index dropped", f"{where}.indexes.{name}", "no data lost")
        for name, _ in indexes.dropped
    ]
    return changes


def _case_folding(
    where: str, fields: Matching[FieldSpec], indexes: Matching[IndexSpec], old_revision: int
) -> list[Change]:
    """Unique emails compared with their case before and without it now (an older
    generator, or a field becoming an EMAIL), or the reverse."""
    folded_before = {
        pair.name
        for pair in fields.pairs
        if old_revision >= CASE_INSENSITIVE_EMAILS
        and pair.old is not None
        and pair.old.field_type == FieldType.EMAIL
    }
    folded_now = {pair.name for pair in fields.pairs if pair.new.field_type == FieldType.EMAIL}
    changes = []
    indexed = set()
    for pair in indexes.pairs:
        if pair.new.type != IndexType.UNIQUE:
            continue
        if len(pair.new.fields) == 1:
            indexed.add(pair.new.fields[0])
        columns = set(pair.new.fields)
        before, now = columns & folded_before, columns & folded_now
        if pair.old is not None and pair.old.type == IndexType.UNIQUE and before != now:
            changed = sorted(before ^ now)
            path = f"{where}.indexes.{pair.name}"
            changes.append(_folding(path, "index", changed, len(now) > len(before)))
    for field in fields.pairs:
        was_unique = field.old is not None and field.old.is_unique
        if field.name in indexed or not (field.new.is_unique and was_unique):
            continue
        if (field.name in folded_before) != (field.name in folded_now):
            path = f"{where}.fields.{field.name}"
            changes.append(_folding(path, "unique", [field.name], field.name in folded_now))
    return changes


def _folding(path: str, what: str, columns: list[str], insensitive: bool) -> Change:
    keys = ", ".join(f"lower({column})" for column in columns)
    if insensitive:
        detail = (
            f"unique index on {keys} built concurrently, the old one dropped; fails listing "
            "the values several records hold regardless of case"
        )
        return Change(Safety.ADDITIVE, f"{what} made case-insensitive", path, detail)
    detail = f"unique index built concurrently on {', '.join(columns)} instead of {keys}"
    return Change(Safety.ADDITIVE, f"{what} made case-sensitive", path, detail)
