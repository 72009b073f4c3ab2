"""PostgreSQL DDL for the generated migrations: tables, constraints, indexes.

Identifiers were validated by the spec checks and are written unquoted (none is a
reserved word); every value from the spec goes through `sql_literal`.
"""

from __future__ import annotations

import json
from decimal import Decimal

from generator.appmodel import FieldModel, TableModel
from generator.indexes import IndexModel, sql_name
from generator.literals import sql_ident, sql_literal

_ON_DELETE = {"CASCADE": "CASCADE", "SET_NULL": "SET NULL", "RESTRICT": "RESTRICT"}


def default_expression(field: FieldModel) -> str | None:
    value = field.default_value
    if value is None:
        return None
    if field.field_type == "JSON":
        return f"{sql_literal(json.dumps(value, ensure_ascii=False, sort_keys=True))}::jsonb"
    if field.field_type == "DECIMAL":
        return sql_literal(Decimal(str(value)))
    return sql_literal(value)


def column_clause(field: FieldModel) -> str:
    """A column's name, type, NOT NULL and default: its definition without constraints."""
    parts = [sql_ident(field.name), str(field.sql_type)]
    if field.is_required:
        parts.append("NOT NULL")
    default = default_expression(field)
    if default is not None:
        parts.append(f"DEFAULT {default}")
    return " ".join(parts)


def unique_constraints(table: TableModel) -> dict[str, str]:
    """Unique constraints by name (declared unique indexes and unique emails, compared in
    lower case, are indexes, not these)."""
    indexes = {index.name for index in table.indexes}
    return {
        name: f"UNIQUE ({sql_ident(column)})"
        for name, column in table.unique_constraints
        if name not in indexes
    }


def check_constraints(table: TableModel) -> dict[str, str]:
    """The CHECK of each field with choices, by constraint name."""
    return {
        sql_name(table.name, field.name, "check"): (
            f"CHECK ({sql_ident(field.name)} IN "
            f"({', '.join(sql_literal(choice) for choice in field.choices)}))"
        )
        for field in table.fields
        if field.choices
    }


def foreign_key_constraints(table: TableModel) -> dict[str, str]:
    """The FOREIGN KEY of each relation field, by constraint name."""
    return {
        sql_name(table.name, field.name, "fkey"): (
            f"FOREIGN KEY ({sql_ident(field.name)}) REFERENCES "
            f"{sql_ident(field.relation_table)} (id) ON DELETE {_ON_DELETE[field.on_delete]}"
        )
        for field in table.fields
        if field.relation_table is not None and field.on_delete is not None
    }


def create_table(table: TableModel) -> str:
    constraints = {**unique_constraints(table), **check_constraints(table)}
    lines = [
        "id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
        *(column_clause(field) for field in table.fields),
        "created_at timestamptz NOT NULL DEFAULT now()",
        "updated_at timestamptz NOT NULL DEFAULT now()",
        *(f"CONSTRAINT {sql_ident(name)} {check}" for name, check in constraints.items()),
    ]
    body = ",\n    ".join(lines)
    return f"CREATE TABLE {sql_ident(table.name)} (\n    {body}\n);"


def comments(table: TableModel) -> list[str]:
    """COMMENT statements, so people reading the database see the spec's display names."""
    name = sql_ident(table.name)
    described = table.description or table.display_name
    statements = [f"COMMENT ON TABLE {name} IS {sql_literal(described)};"]
    statements.extend(
        f"COMMENT ON COLUMN {name}.{sql_ident(field.name)} IS {sql_literal(field.display_name)};"
        for field in table.fields
    )
    return statements


def index_keys(index: IndexModel) -> list[str]:
    """What the index holds, column by column: `email`, or `lower(email)` when folded."""
    return [
        f"lower({sql_ident(column)})" if column in index.folded else sql_ident(column)
        for column in index.columns
    ]


def create_index(table: TableModel, index: IndexModel) -> str:
    unique = "UNIQUE " if index.unique else ""
    if index.method == "gin_trgm":
        columns = ", ".join(f"{sql_ident(column)} gin_trgm_ops" for column in index.columns)
        method = " USING gin"
    else:
        columns = ", ".join(index_keys(index))
        method = ""
    return (
        f"CREATE {unique}INDEX {sql_ident(index.name)} ON {sql_ident(table.name)}"
        f"{method} ({columns});"
    )


def foreign_keys(table: TableModel) -> list[str]:
    name = sql_ident(table.name)
    return [
        f"ALTER TABLE {name} ADD CONSTRAINT {sql_ident(constraint)} {definition};"
        for constraint, definition in foreign_key_constraints(table).items()
    ]


# Exact list counts are cached by the app while a table is unchanged. Every write
# statement bumps a change counter in the same transaction, so a reader's snapshot sees a
# table's data and its counter move together. The counters are spread over a few slots
# per table (by backend) so that concurrent writers rarely wait for one another.
CHANGE_SLOTS = 8

CHANGE_TRACKING = f"""CREATE TABLE nocode_changes (
    table_name text NOT NULL,
    slot smallint NOT NULL,
    changes bigint NOT NULL,
    PRIMARY KEY (table_name, slot)
);

CREATE FUNCTION nocode_count_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO nocode_changes AS c (table_name, slot, changes)
    VALUES (TG_TABLE_NAME, pg_backend_pid() % {CHANGE_SLOTS}, 1)
    ON CONFLICT (table_name, slot) DO UPDATE SET changes = c.changes + 1;
    RETURN NULL;
END
$$;"""


def change_trigger(table: TableModel) -> str:
    name = sql_ident(table.name)
    return (
        f"CREATE TRIGGER {sql_ident(sql_name(table.name, 'changes'))} "
        f"AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {name}\n"
        "    FOR EACH STATEMENT EXECUTE FUNCTION nocode_count_change();"
    )


# Record events: every committed write of a record leaves a row in the outbox
# `nocode_events`, written by statement triggers in the write's own transaction, so that
# an event exists exactly when its write committed (the API, hooks, cascades, plain SQL;
# not TRUNCATE). The app gives each event its `position` when it first serves it, under
# a lock, so that positions follow the order in which events became visible: an event
# committed late never lands behind a reader's cursor.
RECORD_EVENTS = """CREATE TABLE nocode_events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    table_name text NOT NULL,
    operation text NOT NULL CHECK (operation IN ('created', 'updated', 'deleted')),
    record_id bigint NOT NULL,
    record jsonb NOT NULL,
    occurred_at timestamptz NOT NULL DEFAULT now(),
    position bigint
);
-- Partial: a write's INSERT updates the primary key only; numbering fills this index.
CREATE UNIQUE INDEX nocode_events__position_key ON nocode_events (position)
    WHERE position IS NOT NULL;
CREATE SEQUENCE nocode_event_positions OWNED BY nocode_events.position;

CREATE FUNCTION nocode_record_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO nocode_events (table_name, operation, record_id, record)
        SELECT TG_TABLE_NAME, 'deleted', r.id, to_jsonb(r) FROM old_records AS r;
    ELSE
        INSERT INTO nocode_events (table_name, operation, record_id, record)
        SELECT TG_TABLE_NAME, CASE TG_OP WHEN 'INSERT' THEN 'created' ELSE 'updated' END,
               r.id, to_jsonb(r)
        FROM new_records AS r;
    END IF;
    RETURN NULL;
END
$$;"""

# PostgreSQL allows transition tables on single-event triggers only: one per operation.
_EVENT_TRIGGERS = (
    ("created", "INSERT", "NEW TABLE AS new_records"),
    ("updated", "UPDATE", "NEW TABLE AS new_records"),
    ("deleted", "DELETE", "OLD TABLE AS old_records"),
)


def trigger_names(table_name: str, *, events: bool = True) -> list[str]:
    """The triggers the generator puts on a table: its change counter and, unless
    `events` is false (a schema from before record events), its record events."""
    names = [sql_name(table_name, "changes")]
    if events:
        names += [sql_name(table_name, "events", operation) for operation, _, _ in _EVENT_TRIGGERS]
    return names


def event_triggers(table: TableModel) -> str:
    """The statement triggers writing the table's record events to `nocode_events`."""
    name = sql_ident(table.name)
    return "\n".join(
        f"CREATE TRIGGER {sql_ident(sql_name(table.name, 'events', operation))} "
        f"AFTER {event} ON {name}\n"
        f"    REFERENCING {transition} FOR EACH STATEMENT EXECUTE FUNCTION nocode_record_event();"
        for operation, event, transition in _EVENT_TRIGGERS
    )
