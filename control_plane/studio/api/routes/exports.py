"""`/projects/{id}/export/` and `/projects/import/`: a whole project as one JSON document
(draft spec, pages and components, versions), and a new project made from one."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from control_plane.foundation.api.deps import Caller, Connection, Origin
from control_plane.foundation.permissions import Permission
from control_plane.studio.models.exports import ProjectExport, ProjectImport
from control_plane.studio.models.projects import ProjectPublic
from control_plane.studio.services import exports
from control_plane.studio.services.access import authorize_project

router = APIRouter(prefix="/projects", tags=["studio export"])


@router.get("/{project_id}/export/")
async def export_project(
    project_id: uuid.UUID, caller: Caller, connection: Connection
) -> ProjectExport:
    await authorize_project(connection, caller.id, project_id, Permission.PROJECTS_READ)
    return await exports.export(connection, project_id)


@router.post("/import/", status_code=status.HTTP_201_CREATED)
async def import_project(
    body: ProjectImport, caller: Caller, origin: Origin, connection: Connection
) -> ProjectPublic:
    """A new project in `organization_id` from an exported `document` (new ids for the
    project, its tables, pages and components; the versions and their numbers kept)."""
    return await exports.import_project(connection, origin, caller.id, body)
