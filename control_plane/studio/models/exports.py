"""A whole project as one JSON document: its draft spec, its pages and components, and
its versions (number, spec, pages, changes). Importing it into an organisation makes a
new project; exporting that gives the same document but for the ids that must differ
(the project's, its tables', its pages' and components')."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from control_plane.foundation.models import Body
from control_plane.studio.models.pages import ComponentType, Layout, Position, Route, StableId
from control_plane.studio.models.projects import Description, ProjectName
from control_plane.studio.models.versions import ChangePublic

FORMAT: Final = "nocode.studio.project"


class Exported(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ExportedComponent(Exported):
    id: str
    type: ComponentType
    position: Position
    table_id: StableId | None
    field_ids: Annotated[list[StableId], Field(max_length=50)]
    options: dict[str, Any]


class ExportedPage(Exported):
    id: str
    name: ProjectName
    route: Route
    layout: Layout
    components: Annotated[list[ExportedComponent], Field(max_length=200)]


class ExportedVersion(Exported):
    number: Annotated[str, Field(pattern=r"^[0-9]{1,9}\.[0-9]{1,9}\.[0-9]{1,9}$")]
    spec: dict[str, Any]
    pages: list[ExportedPage]
    changes: list[ChangePublic]


class ProjectExport(Exported):
    format: Literal["nocode.studio.project"] = FORMAT
    format_version: Literal[1] = 1
    name: ProjectName
    description: Description
    spec: dict[str, Any]
    pages: Annotated[list[ExportedPage], Field(max_length=200)]
    versions: Annotated[list[ExportedVersion], Field(max_length=1000)]  # oldest first


class ProjectImport(Body):
    organization_id: uuid.UUID
    document: ProjectExport
