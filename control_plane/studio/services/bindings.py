"""Components bind to tables and fields by stable id: a rename keeps the binding, a
binding to nothing is refused with its path, and a table or field a component shows
cannot be deleted (409 CONFLICT naming each component and its page)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from control_plane.db import Conn
from control_plane.errors import CONFLICT, ApiError
from control_plane.studio.models.pages import BOUND_TYPES, Binding, ComponentType
from control_plane.studio.queries import components


@dataclass(frozen=True)
class Table:
    name: str
    fields: dict[str, str]  # field id -> name


def tables_of(document: dict[str, Any]) -> dict[str, Table]:
    """table id -> the table's name and its fields' names, in a draft or version spec."""
    return {
        table["id"]: Table(
            name, {field["id"]: field_name for field_name, field in table["fields"].items()}
        )
        for name, table in document["tables"].items()
    }


def binding_problems(
    document: dict[str, Any], kind: ComponentType, table_id: str | None, field_ids: list[str]
) -> dict[str, str]:
    """What is wrong with binding a component of `kind` to these ids, by request field."""
    if kind not in BOUND_TYPES:
        if table_id is not None or field_ids:
            return {"table_id": f"A {kind} component is bound to no table."}
        return {}
    table = tables_of(document).get(table_id or "")
    if table is None:
        return {"table_id": "No table with this id in the project's draft."}
    problems = {
        f"field_ids[{position}]": f"No field with this id in the table {table.name!r}."
        for position, field_id in enumerate(field_ids)
        if field_id not in table.fields
    }
    if len(set(field_ids)) != len(field_ids):
        problems["field_ids"] = "A field is bound once."
    if kind == ComponentType.CHART and not 1 <= len(field_ids) <= 2:
        problems["field_ids"] = "A chart is bound to one field (x) or two (x, y)."
    return problems


def bound(
    document: dict[str, Any], table_id: str | None, field_ids: list[str]
) -> tuple[Binding | None, list[Binding]]:
    """The bindings with their current names."""
    table = tables_of(document).get(table_id or "")
    if table is None or table_id is None:
        return None, []
    fields = [Binding(id=i, name=table.fields[i]) for i in field_ids if i in table.fields]
    return Binding(id=table_id, name=table.name), fields


async def check_kept(
    connection: Conn, project_id: uuid.UUID, before: dict[str, Any], after: dict[str, Any]
) -> None:
    """Refuse a schema change that removes a table or field some component shows."""
    old, new = tables_of(before), tables_of(after)
    problems: dict[str, str] = {}
    for component in await components.of_project(connection, project_id):
        if component.table_id is None or component.table_id not in old:
            continue
        table = old[component.table_id]
        kept = new.get(component.table_id)
        gone = [
            table.fields[i] for i in component.field_ids if kept is None or i not in kept.fields
        ]
        if kept is None or gone:
            what = (
                f"the table {table.name!r}" if kept is None else f"{table.name}.{', '.join(gone)}"
            )
            problems[f"components.{component.id}"] = (
                f"The {component.type} component of the page {component.page_name!r} shows "
                f"{what}: unbind it first."
            )
    if problems:
        raise ApiError(CONFLICT, problems)
