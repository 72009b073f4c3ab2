"""Schemas: a project's tables and their fields, in the shapes of the generator's spec
(`TableSpec`, `FieldSpec`: the field keys of seed 000) plus their name and stable id.

Request bodies carry the spec's keys as they are: the generator's checks read them, so a
problem is named by its spec path (`tables.clients.fields.email.validation.pattern`)."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict


class SpecKeys(BaseModel):
    """A name and the spec's own keys, passed on to the generator's checks."""

    model_config = ConfigDict(extra="allow")

    @property
    def spec(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


class TableInput(SpecKeys):
    """A table: `name`, then a generator TableSpec (display_name, fields, indexes, ...)."""

    name: str


class TableCreate(TableInput):
    project: uuid.UUID


class TablePatch(SpecKeys):
    """The keys to change; a new `name` renames the table (its id stays)."""

    name: str | None = None


class FieldInput(SpecKeys):
    """A field: `name`, then a generator FieldSpec (display_name, field_type, ...)."""

    name: str


class FieldPatch(SpecKeys):
    """The keys to change; a new `name` renames the field (its id stays)."""

    name: str | None = None


class SchemaPublic(BaseModel):
    """A table of a project's draft: its stable id, project and name, then its spec."""

    model_config = ConfigDict(extra="allow")

    id: str
    project: uuid.UUID
    name: str


class FieldPublic(BaseModel):
    """A field of a table: its stable id, table (stable id) and name, then its spec."""

    model_config = ConfigDict(extra="allow")

    id: str
    table: str
    name: str
