"""Export and import of a whole project (`models.exports`). An import is checked whole
before anything is written: the draft and every version by the generator's checks,
every page and component as the API checks them; problems are named by their path in
the document (`document.versions[0].spec.tables.clients...`)."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from control_plane.db import Conn
from control_plane.errors import VALIDATION, ApiError
from control_plane.foundation.permissions import Permission, authorize
from control_plane.foundation.services.audit import RequestOrigin, record_action
from control_plane.studio.models.exports import (
    ExportedPage,
    ExportedVersion,
    ProjectExport,
    ProjectImport,
)
from control_plane.studio.models.pages import ComponentType
from control_plane.studio.models.projects import ProjectPublic, ProjectStatus
from control_plane.studio.queries import components, pages, projects, versions
from control_plane.studio.queries.components import ComponentRow
from control_plane.studio.services import bindings, drafts
from control_plane.studio.services.components import checked_options
from control_plane.studio.services.pages import frozen
from control_plane.studio.services.projects import check_room, created


async def export(connection: Conn, project_id: uuid.UUID) -> ProjectExport:
    draft = await projects.draft(connection, project_id)
    history = await versions.every(connection, project_id)
    return ProjectExport.model_validate(
        {
            "name": draft.name,
            "description": draft.description,
            "spec": draft.spec,
            "pages": await frozen(connection, project_id),
            "versions": [
                {
                    "number": version.number,
                    "spec": version.spec,
                    "pages": version.pages,
                    "changes": [change.model_dump() for change in version.changes],
                }
                for version in history
            ],
        }
    )


def _located(where: str, error: ApiError) -> ApiError:
    return ApiError(
        error.kind, {f"{where}.{path}": problem for path, problem in error.details.items()}
    )


def _checked_pages(
    where: str, exported: list[ExportedPage], spec: dict[str, Any], renumber: drafts.Renumbering
) -> list[dict[str, Any]]:
    """The pages with new ids, checked against `spec`: bindings, options, unique routes
    and positions."""
    problems: dict[str, str] = {}
    result = []
    routes = [page.route for page in exported]
    if len(set(routes)) != len(routes):
        problems[where] = "Two pages have the same route."
    for p, page in enumerate(exported):
        positions = [component.position for component in page.components]
        if len(set(positions)) != len(positions):
            problems[f"{where}[{p}].components"] = "Two components have the same position."
        made = []
        for c, component in enumerate(page.components):
            at = f"{where}[{p}].components[{c}]"
            table_id = renumber(component.table_id) if component.table_id else None
            try:
                options = checked_options(component.type, component.options)
            except ApiError as error:
                problems |= _located(at, error).details
                options = component.options
            kind = ComponentType(component.type)
            for path, problem in bindings.binding_problems(
                spec, kind, table_id, component.field_ids
            ).items():
                problems[f"{at}.{path}"] = problem
            made.append(
                {
                    "id": renumber(component.id),
                    "type": component.type.value,
                    "position": component.position,
                    "table_id": table_id,
                    "field_ids": component.field_ids,
                    "options": options,
                }
            )
        page_id = renumber(page.id)
        result.append(
            {
                "id": page_id,
                "name": page.name,
                "route": page.route,
                "layout": page.layout.value,
                "components": made,
            }
        )
    if problems:
        raise ApiError(VALIDATION, problems)
    return result


def _checked_spec(where: str, document: dict[str, Any], number: str | None = None) -> None:
    try:
        spec = drafts.checked(document)
    except ApiError as error:
        raise _located(where, error) from None
    if number is not None:
        if spec is None:
            raise ApiError(VALIDATION, {f"{where}.tables": "A version has tables."})
        if spec.project.version != number:
            raise ApiError(VALIDATION, {f"{where}.project.version": f"Should be {number}."})


@dataclass(frozen=True)
class Prepared:
    """An import checked whole, with its new ids, ready to be written."""

    draft: dict[str, Any]
    pages: list[dict[str, Any]]
    history: list[tuple[ExportedVersion, dict[str, Any], list[dict[str, Any]]]]


def prepared(exported: ProjectExport, project_id: uuid.UUID) -> Prepared:
    renumber = drafts.Renumbering()
    draft = drafts.Draft(drafts.reidentified(exported.spec, project_id, renumber))
    if isinstance(draft.document.get("project"), dict):
        draft.set_project(exported.name, exported.description)
    _checked_spec("document.spec", draft.document)
    new_pages = _checked_pages("document.pages", exported.pages, draft.document, renumber)
    numbers = [version.number for version in exported.versions]
    if len(set(numbers)) != len(numbers):
        raise ApiError(VALIDATION, {"document.versions": "Two versions have the same number."})
    history = []
    for v, version in enumerate(exported.versions):
        spec = drafts.reidentified(version.spec, project_id, renumber)
        _checked_spec(f"document.versions[{v}].spec", spec, version.number)
        frozen_pages = _checked_pages(
            f"document.versions[{v}].pages", version.pages, spec, renumber
        )
        history.append((version, spec, frozen_pages))
    return Prepared(draft.document, new_pages, history)


async def import_project(
    connection: Conn, origin: RequestOrigin, user_id: uuid.UUID, body: ProjectImport
) -> ProjectPublic:
    exported, organization_id = body.document, body.organization_id
    project_id = uuid.uuid4()
    # Checking every spec of a project costs CPU for a while: not on the event loop.
    ready = await asyncio.to_thread(prepared, exported, project_id)
    async with connection.transaction():
        await authorize(connection, user_id, organization_id, Permission.PROJECTS_WRITE)
        await check_room(connection, organization_id)
        status = ProjectStatus.PUBLISHED if ready.history else ProjectStatus.DRAFT
        await projects.insert(
            connection,
            project_id,
            organization_id,
            user_id,
            exported.name,
            exported.description,
            ready.draft,
            status,
        )
        await _insert_pages(connection, project_id, ready.pages)
        for version, spec, frozen_pages in ready.history:
            major, minor, patch = (int(part) for part in version.number.split("."))
            changes = [change.model_dump() for change in version.changes]
            await versions.insert(
                connection, project_id, (major, minor, patch), spec, frozen_pages, changes, None
            )
        await record_action(
            connection,
            origin,
            user_id,
            organization_id,
            "project.import",
            project_id,
            {"name": exported.name, "versions": len(ready.history)},
        )
        return await created(connection, user_id, project_id)


async def _insert_pages(
    connection: Conn, project_id: uuid.UUID, new_pages: list[dict[str, Any]]
) -> None:
    now = datetime.now(UTC)
    for page in new_pages:
        page_id = uuid.UUID(page["id"])
        await pages.insert(
            connection, page_id, project_id, page["name"], page["route"], page["layout"]
        )
        for component in page["components"]:
            row = ComponentRow(
                uuid.UUID(component["id"]),
                page_id,
                project_id,
                page["name"],
                component["type"],
                component["position"],
                component["table_id"],
                component["field_ids"],
                component["options"],
                now,
                now,
            )
            await components.save(connection, row, new=True)
