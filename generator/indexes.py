"""The indexes a table gets, and the names of what the generator derives: the spec's
declared indexes, unique emails compared in lower case, and the indexes lists need for
their default sort, sorting and filters, and search."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from generator.spec.models import FieldType, IndexType, TableSpec

if TYPE_CHECKING:
    from generator.appmodel import FieldModel

MAX_SQL_NAME = 63

# The rules turning a spec into a schema change now and then; a repository records the
# revision it was generated with, so that regenerating it migrates what changed.
# 2: unique EMAIL fields are unique regardless of case (a unique index on lower(column)).
# 3: record events: an outbox table, `nocode_events`, and triggers on every table.
# 4: exact counts from a log of changed records, `nocode_count_deltas`, written by triggers
#    on every table (the change counters of `nocode_changes` go).
SCHEMA_REVISION = 4
CASE_INSENSITIVE_EMAILS = 2
RECORD_EVENTS = 3
COUNT_DELTAS = 4

# Text fields indexed with trigrams for `search` (long text would make the index heavy).
_TRIGRAM_TYPES = frozenset({FieldType.TEXT_SHORT, FieldType.EMAIL, FieldType.PHONE, FieldType.URL})
# Field types whose btree index helps sorting and range filters.
_BTREE_TYPES = frozenset(FieldType) - {FieldType.TEXT_LONG, FieldType.JSON}


def sql_name(table: str, *parts: str) -> str:
    """A derived constraint or index name: `produits__prix_idx`. The double underscore
    cannot occur in a spec name, so derived names never collide with each other, with
    tables or with declared indexes; past 63 bytes the name is shortened with a hash."""
    name = "__".join((table, "_".join(parts)))
    if len(name) <= MAX_SQL_NAME:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return f"{name[: MAX_SQL_NAME - 9]}_{digest}"


@dataclass(frozen=True)
class IndexModel:
    name: str
    columns: tuple[str, ...]
    unique: bool
    method: str  # "btree" or "gin_trgm"
    declared: bool  # named in the spec (reported by the schema endpoint)
    folded: tuple[str, ...] = ()  # columns compared in lower case (unique emails)


def case_folded(fields: tuple[FieldModel, ...], schema_revision: int) -> frozenset[str]:
    """The columns unique indexes compare in lower case: email addresses."""
    if schema_revision < CASE_INSENSITIVE_EMAILS:
        return frozenset()
    return frozenset(field.name for field in fields if field.field_type == FieldType.EMAIL)


def table_indexes(
    name: str, table: TableSpec, fields: tuple[FieldModel, ...], folded: frozenset[str]
) -> tuple[IndexModel, ...]:
    declared = tuple(
        IndexModel(
            name=index.name,
            columns=tuple(index.fields),
            unique=index.type == IndexType.UNIQUE,
            method="btree",
            declared=True,
            folded=(
                tuple(column for column in index.fields if column in folded)
                if index.type == IndexType.UNIQUE
                else ()
            ),
        )
        for index in table.indexes
    )
    leading = {index.columns[0] for index in declared}
    declared_unique = {
        index.columns[0] for index in declared if index.unique and len(index.columns) == 1
    }
    # A unique constraint cannot hold an expression: a unique email is a unique index.
    derived = [
        IndexModel(
            sql_name(name, field.name, "key"), (field.name,), True, "btree", False, (field.name,)
        )
        for field in fields
        if field.is_unique and field.name in folded and field.name not in declared_unique
    ]
    derived.append(
        IndexModel(sql_name(name, "created_at", "idx"), ("created_at",), False, "btree", False)
    )
    for field in fields:
        wants_btree = field.relation_table is not None or field.list_config["indexed"]
        if (
            wants_btree
            and FieldType(field.field_type) in _BTREE_TYPES
            and field.name not in leading
            and not field.is_unique
        ):
            derived.append(
                IndexModel(sql_name(name, field.name, "idx"), (field.name,), False, "btree", False)
            )
        if FieldType(field.field_type) in _TRIGRAM_TYPES:
            derived.append(
                IndexModel(
                    sql_name(name, field.name, "trgm_idx"), (field.name,), False, "gin_trgm", False
                )
            )
    return declared + tuple(derived)
