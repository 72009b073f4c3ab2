"""Pages and components: the JSON configuration of a project's screens.

A page has a name, a route (unique in its project), a layout and its components in order.
A component has a type among `ComponentType`, the table and fields it shows (bound by
their stable ids, so a rename keeps the binding) and options whose shape depends on its
type (`OPTIONS`): unknown option keys are refused like any unknown key."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from control_plane.foundation.models import Body, OneLine
from control_plane.studio.models.projects import ProjectName

# `/`, `/clients`, `/clients/{id}/edit`: lower-case segments, `{name}` for a parameter.
Route = Annotated[
    str,
    Field(
        max_length=200,
        pattern=r"^/(?:(?:[a-z0-9][a-z0-9_-]*|\{[a-z][a-z0-9_]*\})(?:/(?:[a-z0-9][a-z0-9_-]*|\{[a-z][a-z0-9_]*\}))*)?$",
    ),
]
Label = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), OneLine
]
Position = Annotated[int, Field(ge=0, le=10_000)]
StableId = Annotated[str, Field(min_length=1, max_length=64)]


class Layout(StrEnum):
    SINGLE_COLUMN = "single_column"
    TWO_COLUMNS = "two_columns"
    SIDEBAR = "sidebar"


class ComponentType(StrEnum):
    TABLE = "table"  # a list of a table's records: the bound fields are its columns
    FORM = "form"  # create or edit a record: the bound fields are its inputs
    DETAIL = "detail"  # one record: the bound fields, in order
    CHART = "chart"  # the first bound field on x; the second (if any) aggregated on y
    TEXT = "text"  # static text, bound to nothing
    BUTTON = "button"  # a link to a route, bound to nothing


# The types that show a table's data: they need a table, and fields of it.
BOUND_TYPES = frozenset(
    {ComponentType.TABLE, ComponentType.FORM, ComponentType.DETAIL, ComponentType.CHART}
)


class Options(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TableOptions(Options):
    page_size: Annotated[int, Field(ge=1, le=100)] = 20
    searchable: bool = True
    sortable: bool = True


class FormOptions(Options):
    mode: Literal["create", "edit"] = "create"
    submit_label: Label = "Save"


class DetailOptions(Options):
    title: Label | None = None


class ChartOptions(Options):
    kind: Literal["bar", "line", "pie"] = "bar"
    aggregate: Literal["count", "sum", "average"] = "count"


class TextOptions(Options):
    content: Annotated[str, Field(min_length=1, max_length=10_000)]
    format: Literal["plain", "markdown"] = "plain"


class ButtonOptions(Options):
    label: Label
    route: Route


OPTIONS: dict[ComponentType, type[Options]] = {
    ComponentType.TABLE: TableOptions,
    ComponentType.FORM: FormOptions,
    ComponentType.DETAIL: DetailOptions,
    ComponentType.CHART: ChartOptions,
    ComponentType.TEXT: TextOptions,
    ComponentType.BUTTON: ButtonOptions,
}


class PageCreate(Body):
    project: uuid.UUID
    name: ProjectName
    route: Route
    layout: Layout = Layout.SINGLE_COLUMN


class PageUpdate(Body):
    name: ProjectName | None = None
    route: Route | None = None
    layout: Layout | None = None


class PagePublic(BaseModel):
    id: uuid.UUID
    project: uuid.UUID
    name: str
    route: str
    layout: Layout
    components: list[uuid.UUID]  # in order
    created_at: datetime
    updated_at: datetime


class ComponentCreate(Body):
    page: uuid.UUID
    type: ComponentType
    table_id: StableId | None = None
    field_ids: Annotated[list[StableId], Field(max_length=50)] = []
    options: dict[str, Any] = {}
    position: Position | None = None  # after the page's last component when left out


class ComponentUpdate(Body):
    type: ComponentType | None = None
    table_id: StableId | None = None
    field_ids: Annotated[list[StableId], Field(max_length=50)] | None = None
    options: dict[str, Any] | None = None
    position: Position | None = None


class Binding(BaseModel):
    """A bound table or field: its stable id and its current name."""

    id: str
    name: str


class ComponentPublic(BaseModel):
    id: uuid.UUID
    page: uuid.UUID
    project: uuid.UUID
    type: ComponentType
    position: int
    table: Binding | None
    fields: list[Binding]
    options: dict[str, Any]
    created_at: datetime
    updated_at: datetime
