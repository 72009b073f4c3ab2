"""Projects: each belongs to one organisation, whose plan caps how many it has; MEMBER and
above create, change and delete them. A project's name and description are also its
draft spec's, so both always say the same."""

from __future__ import annotations

import uuid
from typing import Any

from control_plane import events
from control_plane.automation.services import defaults
from control_plane.db import Conn
from control_plane.errors import LIMIT_REACHED, ApiError
from control_plane.foundation.permissions import Permission, authorize
from control_plane.foundation.queries import organizations, subscriptions
from control_plane.foundation.services.audit import RequestOrigin, record_action
from control_plane.studio.models.projects import ProjectPublic
from control_plane.studio.queries import projects
from control_plane.studio.services import drafts
from control_plane.studio.services.access import authorize_project

PLAN_LIMIT = "projects"


async def check_room(connection: Conn, organization_id: uuid.UUID) -> None:
    """409 LIMIT_REACHED when the organisation's plan allows no more project. Takes the
    organisation's row lock, so concurrent creations cannot overshoot."""
    await organizations.lock(connection, organization_id)
    plan = await subscriptions.of_organization(connection, organization_id)
    limit = plan.limits.get(PLAN_LIMIT)
    if (
        limit is not None
        and await projects.count_of_organization(connection, organization_id) >= limit
    ):
        raise ApiError(
            LIMIT_REACHED,
            {"organization_id": f"The {plan.name} plan allows {limit} projects."},
        )


async def create(
    connection: Conn,
    origin: RequestOrigin,
    user_id: uuid.UUID,
    organization_id: uuid.UUID,
    name: str,
    description: str,
) -> ProjectPublic:
    project_id = uuid.uuid4()
    spec = drafts.new_document(project_id, name, description)
    async with connection.transaction():
        await authorize(connection, user_id, organization_id, Permission.PROJECTS_WRITE)
        drafts.checked(spec)
        await check_room(connection, organization_id)
        await projects.insert(
            connection, project_id, organization_id, user_id, name, description, spec
        )
        await record_action(
            connection,
            origin,
            user_id,
            organization_id,
            "project.create",
            project_id,
            {"name": name},
        )
        return await created(connection, user_id, project_id)


async def update(
    connection: Conn,
    origin: RequestOrigin,
    user_id: uuid.UUID,
    project_id: uuid.UUID,
    changes: dict[str, Any],
) -> ProjectPublic:
    """Set the name and description of `changes`; the others keep their value."""
    async with connection.transaction():
        organization_id = await authorize_project(
            connection, user_id, project_id, Permission.PROJECTS_WRITE
        )
        current = await projects.draft(connection, project_id, lock=True)
        name = changes.get("name") or current.name
        description = changes.get("description")
        description = current.description if description is None else description
        draft = drafts.Draft(current.spec)
        draft.set_project(name, description)
        drafts.checked(draft.document)
        await projects.update(connection, project_id, name, description, draft.document)
        await record_action(
            connection,
            origin,
            user_id,
            organization_id,
            "project.update",
            project_id,
            {"fields": sorted(changes)},
        )
        return await public(connection, project_id)


async def delete(
    connection: Conn, origin: RequestOrigin, user_id: uuid.UUID, project_id: uuid.UUID
) -> None:
    async with connection.transaction():
        organization_id = await authorize_project(
            connection, user_id, project_id, Permission.PROJECTS_WRITE
        )
        await projects.delete(connection, project_id)
        await record_action(
            connection, origin, user_id, organization_id, "project.delete", project_id
        )


async def created(connection: Conn, user_id: uuid.UUID, project_id: uuid.UUID) -> ProjectPublic:
    """What follows a project's creation in its transaction (seed 003's automatic flow):
    its default workflows and its platform event."""
    project = await public(connection, project_id)
    await defaults.create_for_project(connection, project.organization_id, project.id, user_id)
    await events.emit(
        connection,
        project.organization_id,
        events.PROJECT_CREATED,
        {"project_id": str(project.id), "name": project.name},
        project_id=project.id,
    )
    return project


async def public(connection: Conn, project_id: uuid.UUID) -> ProjectPublic:
    project = await projects.one(connection, project_id)
    assert project is not None  # called once the project is known
    return project
