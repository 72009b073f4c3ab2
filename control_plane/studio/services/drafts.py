"""A project's draft: a generator ProjectSpec document (plain JSON, in the order the user
gave), every table, field and index carrying a stable id the server made.

Every change builds the whole new document and runs the generator's own checks on it
(`generator.spec.load.parse_spec`), so the API refuses exactly what `nocode generate`
would, with the same paths, every problem at once. A draft with no table yet is the one
document accepted that the generator would not take.
"""

from __future__ import annotations

import copy
import unicodedata
import uuid
from collections.abc import Iterator
from typing import Any

from control_plane.errors import NOT_FOUND, VALIDATION, ApiError
from generator.errors import Issue, SpecError
from generator.spec import SPEC_VERSION, ProjectSpec, parse_spec
from generator.spec.identifiers import MAX_IDENTIFIER_LENGTH, identifier_problem

Document = dict[str, Any]
_SERVER_IDS = "ids are assigned by the server; leave it out (or keep the current one)"


def new_document(project_id: uuid.UUID, name: str, description: str) -> Document:
    project: dict[str, Any] = {"id": str(project_id), "name": name, "slug": slug_of(name)}
    if description:
        project["description"] = description
    return {"spec_version": SPEC_VERSION, "project": project, "tables": {}}


def slug_of(name: str) -> str:
    """A valid spec identifier from a display name: `Gestion Client` -> `gestion_client`,
    accents dropped, a reserved or empty result made safe."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    words = "".join(c if c.isalnum() else " " for c in ascii_name.lower()).split()
    slug = "_".join(words)[:MAX_IDENTIFIER_LENGTH].rstrip("_")
    if slug and not identifier_problem(slug):
        return slug
    prefixed = f"project_{slug}"[:MAX_IDENTIFIER_LENGTH].rstrip("_")
    return prefixed if not identifier_problem(prefixed) else "project"


def new_id() -> str:
    return str(uuid.uuid4())


def checked(document: Document) -> ProjectSpec | None:
    """The document's ProjectSpec (None while it has no table), or 400 naming every issue
    by its spec path."""
    try:
        return parse_spec(document)
    except SpecError as error:
        no_table_yet = document.get("tables") == {}
        issues = [i for i in error.issues if not (no_table_yet and i.path == "tables")]
        if issues:
            raise ApiError(VALIDATION, issue_details(issues)) from None
        return None


def issue_details(issues: list[Issue]) -> dict[str, str]:
    details: dict[str, str] = {}
    for issue in issues:
        path = issue.path or "spec"
        details[path] = f"{details[path]}; {issue.message}" if path in details else issue.message
    return details


class Draft:
    """A copy of a draft document to change; `document` is the result."""

    def __init__(self, document: Document) -> None:
        self.document = copy.deepcopy(document)

    @property
    def tables(self) -> dict[str, Any]:
        tables: dict[str, Any] = self.document["tables"]
        return tables

    def table_named(self, table_id: str) -> str:
        """The name of the table whose stable id is `table_id` (404 when none)."""
        for name, table in self.tables.items():
            if table.get("id") == table_id:
                return str(name)
        raise ApiError(NOT_FOUND, {"table": "No such table."})

    def field_named(self, table_name: str, field_id: str) -> str:
        for name, field in self.tables[table_name]["fields"].items():
            if field.get("id") == field_id:
                return str(name)
        raise ApiError(NOT_FOUND, {"field": "No such field."})

    def add_table(self, name: str, body: dict[str, Any]) -> str:
        """Add a table (ids made here); its stable id."""
        if name in self.tables:
            raise ApiError(VALIDATION, {f"tables.{name}": f"{name!r} is already used."})
        table = with_ids(f"tables.{name}", body, None)
        self.tables[name] = table
        return str(table["id"])

    def replace_table(self, table_id: str, name: str, body: dict[str, Any]) -> None:
        """Replace the table, renamed to `name` in place; what keeps its id keeps it."""
        old_name = self.table_named(table_id)
        table = with_ids(f"tables.{name}", body, self.tables[old_name])
        self._put(old_name, name, table)
        if old_name != name:
            self._rename_relations(old_name, name)

    def delete_table(self, table_id: str) -> None:
        del self.tables[self.table_named(table_id)]

    def add_field(self, table_id: str, name: str, body: dict[str, Any]) -> str:
        table_name = self.table_named(table_id)
        fields = self.tables[table_name]["fields"]
        where = f"tables.{table_name}.fields.{name}"
        if name in fields:
            raise ApiError(VALIDATION, {where: f"{name!r} is already used."})
        issues: dict[str, str] = {}
        field = _with_id(where, body, {}, issues)
        if issues:
            raise ApiError(VALIDATION, issues)
        fields[name] = field
        return str(field["id"])

    def replace_field(self, table_id: str, field_id: str, name: str, body: dict[str, Any]) -> None:
        table_name = self.table_named(table_id)
        table = self.tables[table_name]
        old_name = self.field_named(table_name, field_id)
        path = f"tables.{table_name}.fields.{name}.id"
        if body.get("id", field_id) != field_id:
            raise ApiError(VALIDATION, {path: _SERVER_IDS})
        field = {"id": field_id, **{key: value for key, value in body.items() if key != "id"}}
        table["fields"] = _renamed(table["fields"], old_name, name, field)
        if old_name != name:
            for index in table.get("indexes", []):
                if isinstance(index, dict) and isinstance(index.get("fields"), list):
                    index["fields"] = [name if f == old_name else f for f in index["fields"]]

    def delete_field(self, table_id: str, field_id: str) -> None:
        table_name = self.table_named(table_id)
        del self.tables[table_name]["fields"][self.field_named(table_name, field_id)]

    def set_project(self, name: str, description: str) -> None:
        project = self.document["project"]
        project["name"] = name
        if description:
            project["description"] = description
        else:
            project.pop("description", None)

    def _put(self, old_name: str, name: str, table: dict[str, Any]) -> None:
        self.document["tables"] = _renamed(self.tables, old_name, name, table)

    def _rename_relations(self, old_name: str, name: str) -> None:
        for table in self.tables.values():
            for field in _fields(table):
                relation = field.get("relation")
                if isinstance(relation, dict) and relation.get("table") == old_name:
                    relation["table"] = name


def _fields(table: dict[str, Any]) -> Iterator[dict[str, Any]]:
    fields = table.get("fields")
    if isinstance(fields, dict):
        yield from (field for field in fields.values() if isinstance(field, dict))


def _name(index: Any) -> Any:
    return index.get("name") if isinstance(index, dict) else None


def _renamed(items: dict[str, Any], old: str, new: str, value: Any) -> dict[str, Any]:
    """`items` with the entry `old` replaced by `new: value`, in the same position."""
    if new != old and new in items:
        raise ApiError(VALIDATION, {"name": f"{new!r} is already used."})
    return {(new if key == old else key): (value if key == old else v) for key, v in items.items()}


def with_ids(where: str, body: dict[str, Any], current: dict[str, Any] | None) -> dict[str, Any]:
    """`body` (a table) with the ids of `current` kept (by id, else by name) and new ones
    made for the rest; an id the server did not make is refused."""
    current = current or {}
    issues: dict[str, str] = {}
    table = dict(body)
    given = table.pop("id", current.get("id"))
    if given != current.get("id"):
        issues[f"{where}.id"] = _SERVER_IDS
    table = {"id": current.get("id") or new_id(), **table}
    fields = table.get("fields")
    if isinstance(fields, dict):
        known = current.get("fields") or {}
        table["fields"] = {
            name: _with_id(f"{where}.fields.{name}", field, known, issues, name)
            for name, field in fields.items()
        }
    indexes = table.get("indexes")
    if isinstance(indexes, list):
        known_indexes = {_name(index): index for index in current.get("indexes", [])}
        table["indexes"] = [
            _with_id(f"{where}.indexes[{position}]", index, known_indexes, issues, _name(index))
            for position, index in enumerate(indexes)
        ]
    if issues:
        raise ApiError(VALIDATION, issues)
    return table


def _with_id(
    where: str, item: Any, known: dict[Any, Any], issues: dict[str, str], name: Any = None
) -> Any:
    """A field or index with its stable id: the one given if the server made it, else
    that of the current item of the same name, else a new one."""
    if not isinstance(item, dict):
        return item  # the spec's checks name the bad shape
    given = item.get("id")
    if given is not None and given not in {other.get("id") for other in known.values()}:
        issues[f"{where}.id"] = _SERVER_IDS
    stable_id = given or (known.get(name) or {}).get("id") or new_id()
    return {"id": stable_id, **{key: value for key, value in item.items() if key != "id"}}


class Renumbering:
    """New ids for the ids of an imported document, the same new id for the same old one
    wherever it appears (a table in the draft and in every version, a page, ...)."""

    def __init__(self) -> None:
        self.ids: dict[str, str] = {}

    def __call__(self, old: Any) -> str:
        key = str(old) if old is not None else new_id()
        return self.ids.setdefault(key, new_id())


def reidentified(document: Any, project_id: uuid.UUID, renumber: Renumbering) -> Any:
    """An imported spec document with the new project's id, its tables renumbered (table
    ids are unique across projects), and ids made for fields and indexes without one."""
    if not isinstance(document, dict):
        return document
    result = copy.deepcopy(document)
    if isinstance(result.get("project"), dict):
        result["project"]["id"] = str(project_id)
    tables = result.get("tables")
    if isinstance(tables, dict):
        for table in tables.values():
            if not isinstance(table, dict):
                continue
            table["id"] = renumber(table.get("id"))
            for field in _fields(table):
                field.setdefault("id", new_id())
            for index in table.get("indexes") or []:
                if isinstance(index, dict):
                    index.setdefault("id", new_id())
    return result
