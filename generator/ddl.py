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


# Exact list counts stay cheap while a table changes: every write statement logs the
# records it changed (before and after) in `nocode_count_deltas`, in its own transaction,
# with its transaction id. The app keeps a count with the snapshot it was taken in; the
# next list, in one snapshot with its page, adds the logged changes its snapshot sees and
# the cached one did not, counting only those whose records match the list's filters.
# Old deltas are pruned below a watermark; a cached snapshot older than its table's
# watermark (raised by pruning, TRUNCATE and schema changes) is not used: a full count.
COUNT_DELTAS = """CREATE TABLE nocode_count_deltas (
    table_name text NOT NULL,
    xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
    old_record jsonb,
    new_record jsonb
);
CREATE INDEX nocode_count_deltas__table_xid_idx ON nocode_count_deltas (table_name, xid);

CREATE TABLE nocode_count_watermarks (
    table_name text PRIMARY KEY,
    watermark xid8 NOT NULL
);

-- The xmin of snapshots noted by pruning, so that it can prune up to one noted a while ago.
CREATE TABLE nocode_count_horizons (
    noted_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    noted_xmin xid8 NOT NULL
);

CREATE FUNCTION nocode_count_delta() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO nocode_count_deltas (table_name, new_record)
        SELECT TG_TABLE_NAME, to_jsonb(r) FROM new_records AS r;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO nocode_count_deltas (table_name, old_record)
        SELECT TG_TABLE_NAME, to_jsonb(r) FROM old_records AS r;
    ELSE
        INSERT INTO nocode_count_deltas (table_name, old_record, new_record)
        SELECT TG_TABLE_NAME, to_jsonb(o), to_jsonb(n)
        FROM old_records AS o FULL JOIN new_records AS n USING (id);
    END IF;
    RETURN NULL;
END
$$;

-- Every cached count of `target` is recounted: snapshots that may not see this
-- transaction fall below the watermark (its xid + 1), and its deltas go.
CREATE FUNCTION nocode_count_reset(target text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    mark xid8 := (pg_current_xact_id()::text::numeric + 1)::text::xid8;
BEGIN
    INSERT INTO nocode_count_watermarks AS w (table_name, watermark) VALUES (target, mark)
    ON CONFLICT (table_name) DO UPDATE SET watermark = greatest(w.watermark, excluded.watermark);
    DELETE FROM nocode_count_deltas WHERE table_name = target AND xid < mark;
END
$$;

CREATE FUNCTION nocode_count_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM nocode_count_reset(TG_TABLE_NAME);
    RETURN NULL;
END
$$;

-- Run now and then by every app process (idempotent): notes the current snapshot's xmin,
-- and deletes the deltas below the newest xmin noted at least `keep` ago, raising the
-- watermarks of their tables to it. Counts cached within `keep` stay usable.
CREATE FUNCTION nocode_count_prune(keep interval) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    horizon xid8;
BEGIN
    INSERT INTO nocode_count_horizons (noted_xmin)
    VALUES (pg_snapshot_xmin(pg_current_snapshot()));
    SELECT max(noted_xmin) INTO horizon FROM nocode_count_horizons
    WHERE noted_at <= clock_timestamp() - keep;
    IF horizon IS NULL THEN
        RETURN;
    END IF;
    DELETE FROM nocode_count_horizons
    WHERE noted_at <= clock_timestamp() - keep AND noted_xmin < horizon;
    WITH gone AS (DELETE FROM nocode_count_deltas WHERE xid < horizon RETURNING table_name)
    INSERT INTO nocode_count_watermarks AS w (table_name, watermark)
    SELECT DISTINCT table_name, horizon FROM gone
    ON CONFLICT (table_name) DO UPDATE SET watermark = greatest(w.watermark, excluded.watermark);
END
$$;"""

# PostgreSQL allows transition tables on single-event triggers only: one per operation.
_DELTA_TRIGGERS = (
    ("inserted", "INSERT", "NEW TABLE AS new_records"),
    ("updated", "UPDATE", "OLD TABLE AS old_records NEW TABLE AS new_records"),
    ("deleted", "DELETE", "OLD TABLE AS old_records"),
)


def _delta_trigger_names(table_name: str) -> list[str]:
    return [sql_name(table_name, "counts", operation) for operation, _, _ in _DELTA_TRIGGERS] + [
        sql_name(table_name, "counts", "truncated")
    ]


def count_triggers(table: TableModel) -> str:
    """The statement triggers logging the table's changed records for exact counts."""
    name = sql_ident(table.name)
    statements = [
        f"CREATE TRIGGER {sql_ident(sql_name(table.name, 'counts', operation))} "
        f"AFTER {event} ON {name}\n"
        f"    REFERENCING {transition} FOR EACH STATEMENT EXECUTE FUNCTION nocode_count_delta();"
        for operation, event, transition in _DELTA_TRIGGERS
    ]
    statements.append(
        f"CREATE TRIGGER {sql_ident(sql_name(table.name, 'counts', 'truncated'))} "
        f"AFTER TRUNCATE ON {name}\n"
        "    FOR EACH STATEMENT EXECUTE FUNCTION nocode_count_truncated();"
    )
    return "\n".join(statements)


# Before schema revision 4: a change counter per table, bumped by every write statement;
# dropping its function drops its trigger on every table.
DROP_CHANGE_COUNTERS = """DROP TABLE nocode_changes;
DROP FUNCTION nocode_count_change() CASCADE;"""


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


def trigger_names(table_name: str, *, events: bool = True, deltas: bool = True) -> list[str]:
    """The triggers the generator puts on a table: its count deltas (unless `deltas` is
    false: a schema from before revision 4, whose change counter a migration drops first)
    and its record events (unless `events` is false: a schema from before them)."""
    names = _delta_trigger_names(table_name) if deltas else []
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
