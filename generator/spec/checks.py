"""Checks that span several values of a spec, run once its shape is valid.

Each check yields `Issue`s instead of raising, so a user sees every problem at once.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from typing import Annotated, Any

from pydantic import Field, TypeAdapter, ValidationError

from generator.errors import Issue
from generator.spec.identifiers import SYSTEM_COLUMNS, SYSTEM_TABLES
from generator.spec.models import (
    MAX_FIELDS,
    MAX_TABLES,
    NUMERIC_TYPES,
    TEXT_TYPES,
    Action,
    FieldSpec,
    FieldType,
    OnDelete,
    ProjectSpec,
    TableSpec,
)
from generator.spec.values import value_problem

ALL_ACTIONS = frozenset(Action)


def check_spec(spec: ProjectSpec) -> list[Issue]:
    issues = list(_check_project(spec))
    for table_name, table in spec.tables.items():
        issues.extend(_check_table(spec, table_name, table))
    issues.extend(_check_required_relation_cycles(spec))
    return issues


def _duplicates(values: list[str]) -> list[str]:
    return sorted(value for value, count in Counter(values).items() if count > 1)


def _check_project(spec: ProjectSpec) -> Iterator[Issue]:
    if len(spec.tables) > MAX_TABLES:
        yield Issue("tables", f"at most {MAX_TABLES} tables per project, found {len(spec.tables)}")
    for name in sorted(set(spec.tables) & SYSTEM_TABLES):
        yield Issue(f"tables.{name}", f"{name!r} is reserved for the generated app's own use")
    table_ids = [table.id or name for name, table in spec.tables.items()]
    for stable_id in _duplicates(table_ids):
        yield Issue("tables", f"table id {stable_id!r} is used more than once")
    index_names = [index.name for table in spec.tables.values() for index in table.indexes]
    for name in _duplicates(index_names):
        yield Issue("tables", f"index name {name!r} is used more than once in the project")
    for name in sorted(set(index_names) & set(spec.tables)):
        yield Issue("tables", f"index name {name!r} is also a table name")
    yield from _find_nul_characters(spec.model_dump(mode="json"), "")


def _find_nul_characters(value: Any, path: str) -> Iterator[Issue]:
    """PostgreSQL text cannot hold NUL: refuse it anywhere in a spec."""
    if isinstance(value, str) and "\x00" in value:
        yield Issue(path, "contains a NUL character")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _find_nul_characters(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for position, item in enumerate(value):
            yield from _find_nul_characters(item, f"{path}[{position}]")


def _check_table(spec: ProjectSpec, table_name: str, table: TableSpec) -> Iterator[Issue]:
    where = f"tables.{table_name}"
    if len(table.fields) > MAX_FIELDS:
        yield Issue(
            f"{where}.fields", f"at most {MAX_FIELDS} fields per table, found {len(table.fields)}"
        )
    for name in sorted(set(table.fields) & SYSTEM_COLUMNS):
        yield Issue(f"{where}.fields.{name}", f"{name!r} is a column every table already has")
    field_ids = [field.id or name for name, field in table.fields.items()]
    for stable_id in _duplicates(field_ids):
        yield Issue(f"{where}.fields", f"field id {stable_id!r} is used more than once")
    for field_name, field in table.fields.items():
        yield from _check_field(spec, f"{where}.fields.{field_name}", field)
    known_columns = set(table.fields) | SYSTEM_COLUMNS
    for position, index in enumerate(table.indexes):
        for name in index.fields:
            if name not in known_columns:
                yield Issue(f"{where}.indexes[{position}].fields", f"no field named {name!r}")
        if len(set(index.fields)) != len(index.fields):
            yield Issue(f"{where}.indexes[{position}].fields", "a field is listed twice")
    index_ids = [index.id or index.name for index in table.indexes]
    for stable_id in _duplicates(index_ids):
        yield Issue(f"{where}.indexes", f"index id {stable_id!r} is used more than once")
    yield from _check_permissions(where, table)


def _check_permissions(where: str, table: TableSpec) -> Iterator[Issue]:
    permissions = table.permissions
    client_default = {Action.READ} if permissions.public else set()
    for role, granted, default in (
        ("CLIENT", permissions.CLIENT, client_default),
        ("MEMBER", permissions.MEMBER, ALL_ACTIONS),
        ("ADMIN", permissions.ADMIN, ALL_ACTIONS),
    ):
        if granted is None:
            continue
        wider = sorted(set(granted) - set(default))
        if wider:
            reason = (
                "CLIENT may only read, and only a table marked public"
                if role == "CLIENT"
                else f"{role} already has every right"
            )
            yield Issue(
                f"{where}.permissions.{role}",
                f"a spec can only narrow the defaults; cannot grant {', '.join(wider)} ({reason})",
            )
        if len(set(granted)) != len(granted):
            yield Issue(f"{where}.permissions.{role}", "an action is listed twice")


def _check_field(spec: ProjectSpec, where: str, field: FieldSpec) -> Iterator[Issue]:
    rules = field.validation
    kind = field.field_type
    text_only = ("min_length", "max_length", "pattern", "format")
    numeric_only = ("min_value", "max_value")
    decimal_only = ("max_digits", "decimal_places")
    for key in sorted(key for key, value in rules if value is not None):
        allowed = (
            (key in text_only and kind in TEXT_TYPES)
            or (key in numeric_only and kind in NUMERIC_TYPES)
            or (key in decimal_only and kind == FieldType.DECIMAL)
        )
        if not allowed:
            yield Issue(f"{where}.validation.{key}", f"does not apply to {kind} fields")
    if (
        rules.min_length is not None
        and rules.max_length is not None
        and rules.min_length > rules.max_length
    ):
        yield Issue(f"{where}.validation.min_length", "is greater than max_length")
    if (
        rules.min_value is not None
        and rules.max_value is not None
        and rules.min_value > rules.max_value
    ):
        yield Issue(f"{where}.validation.min_value", "is greater than max_value")
    if (
        rules.max_digits is not None
        and rules.decimal_places is not None
        and rules.decimal_places > rules.max_digits
    ):
        yield Issue(f"{where}.validation.decimal_places", "is greater than max_digits")
    pattern_problem = _pattern_problem(rules.pattern) if rules.pattern is not None else None
    if pattern_problem:
        yield Issue(f"{where}.validation.pattern", pattern_problem)
    implied = {FieldType.EMAIL: "email", FieldType.URL: "url"}.get(kind)
    if implied and rules.format not in (None, implied):
        yield Issue(f"{where}.validation.format", f"a {kind} field has the {implied} format")
    if kind == FieldType.INTEGER:
        for key in ("min_value", "max_value"):
            bound = getattr(rules, key)
            if bound is not None and bound != bound.to_integral_value():
                yield Issue(f"{where}.validation.{key}", "an INTEGER bound must be a whole number")

    if kind == FieldType.ENUM:
        if not field.choices:
            yield Issue(f"{where}.choices", "an ENUM field needs a list of choices")
        else:
            for choice in _duplicates(list(field.choices)):
                yield Issue(f"{where}.choices", f"{choice!r} is listed twice")
    elif field.choices is not None:
        yield Issue(f"{where}.choices", f"only an ENUM field has choices, not a {kind} field")

    if kind == FieldType.RELATION:
        yield from _check_relation(spec, where, field)
    elif field.relation is not None:
        yield Issue(f"{where}.relation", f"only a RELATION field has a relation, not {kind}")

    if field.is_unique and kind in (FieldType.JSON, FieldType.TEXT_LONG):
        yield Issue(f"{where}.is_unique", f"a {kind} field cannot be unique")
    if field.is_unique and field.default_value is not None:
        yield Issue(
            f"{where}.default_value",
            "a unique field cannot have a default: every new record would get the same value",
        )
    if field.is_readonly and field.is_required and field.default_value is None:
        yield Issue(
            f"{where}.is_readonly",
            "a read-only required field needs a default_value: clients cannot set it",
        )
    if pattern_problem:
        return  # defaults and examples cannot be checked against a broken pattern
    if field.default_value is not None:
        if kind == FieldType.RELATION:
            yield Issue(f"{where}.default_value", "a RELATION field cannot have a default")
        else:
            problem = value_problem(field, field.default_value)
            if problem:
                yield Issue(f"{where}.default_value", problem)
    if field.example is not None:
        problem = value_problem(field, field.example)
        if problem:
            yield Issue(f"{where}.example", problem)


def _pattern_problem(pattern: str) -> str | None:
    """Patterns run on the generated app's regex engine (pydantic's, linear time)."""
    try:
        re.compile(pattern)
        TypeAdapter(Annotated[str, Field(pattern=pattern)]).validate_python("")
    except re.error as error:
        return f"not a valid regular expression: {error}"
    except ValidationError:
        return None  # the pattern compiled; the empty string just does not match it
    except Exception as error:  # pydantic's engine refused it (e.g. look-arounds)
        lines = [line.strip() for line in str(error).splitlines()]
        reason = next((line for line in lines if line.startswith("error:")), lines[-1])
        return f"not a regular expression the app can run ({reason.removeprefix('error: ')})"
    return None


def _check_relation(spec: ProjectSpec, where: str, field: FieldSpec) -> Iterator[Issue]:
    relation = field.relation
    if relation is None:
        yield Issue(f"{where}.relation", "a RELATION field needs relation.table")
        return
    if relation.table not in spec.tables:
        yield Issue(f"{where}.relation.table", f"no table named {relation.table!r}")
    if relation.on_delete == OnDelete.SET_NULL and field.is_required:
        yield Issue(f"{where}.relation.on_delete", "SET_NULL cannot apply to a required field")


def _check_required_relation_cycles(spec: ProjectSpec) -> Iterator[Issue]:
    """Required relations that loop would make every insert impossible."""
    edges = {
        name: sorted(
            field.relation.table
            for field in table.fields.values()
            if field.relation is not None
            and field.is_required
            and field.relation.table in spec.tables
        )
        for name, table in spec.tables.items()
    }
    reported: set[frozenset[str]] = set()
    for start in sorted(edges):
        stack = [(start, [start])]
        while stack:
            node, path = stack.pop()
            for target in edges[node]:
                if target == start:
                    cycle = frozenset(path)
                    if cycle not in reported:
                        reported.add(cycle)
                        yield Issue(
                            f"tables.{start}",
                            "required relations form a cycle ("
                            + " -> ".join([*path, start])
                            + "): no record could ever be inserted",
                        )
                elif target not in path:
                    stack.append((target, [*path, target]))
