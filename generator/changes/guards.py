"""Checks that stop a migration, inside its transaction, with a message naming the spec
path and up to five offending values, when the data does not allow a change."""

from __future__ import annotations

from generator.appmodel import TableModel
from generator.changes.objects import DerivedObject
from generator.changes.sql import Step, dollar_quoted
from generator.literals import sql_ident, sql_literal

_SAMPLES = 5  # offending values a failed check names


def stop_if_found(query: str, message: str) -> Step:
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
        f"DO {dollar_quoted(body)};",
    )


def duplicates(table: TableModel, made: DerivedObject) -> Step:
    keys = ", ".join(made.keys)
    present = " AND ".join(f"{sql_ident(column)} IS NOT NULL" for column in made.columns)
    sample = (
        f"quote_literal({keys}::text)"
        if len(made.keys) == 1
        else f"quote_literal(ROW({keys})::text)"
    )
    case = " (regardless of case)" if made.case_insensitive else ""
    return stop_if_found(
        f"SELECT {sample} AS sample FROM {sql_ident(table.name)} WHERE {present} "
        f"GROUP BY {keys} HAVING count(*) > 1",
        f"{made.path}: unique now, but several records hold each of these values{case}",
    )


def removed_choices(table: TableModel, made: DerivedObject) -> Step:
    column = sql_ident(made.columns[0])
    choices = next(f.choices for f in table.fields if f.name == made.columns[0]) or ()
    allowed = ", ".join(sql_literal(choice) for choice in choices)
    return stop_if_found(
        f"SELECT DISTINCT quote_literal({column}) AS sample FROM {sql_ident(table.name)} "
        f"WHERE {column} NOT IN ({allowed})",
        f"{made.path}: records hold values that are no longer choices",
    )


def orphans(table: TableModel, made: DerivedObject) -> Step:
    column = sql_ident(made.columns[0])
    target = next(f.relation_table for f in table.fields if f.name == made.columns[0])
    return stop_if_found(
        f"SELECT DISTINCT child.{column}::text AS sample FROM {sql_ident(table.name)} AS child "
        f"WHERE child.{column} IS NOT NULL AND NOT EXISTS "
        f"(SELECT FROM {sql_ident(str(target))} AS parent WHERE parent.id = child.{column})",
        f"{made.path}: records refer to {target} ids that do not exist",
    )
