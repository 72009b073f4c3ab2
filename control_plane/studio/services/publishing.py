"""Publishing: the draft frozen into an immutable, numbered version (its spec with
`project.version` set to the number, and its pages); the project becomes `published`."""

from __future__ import annotations

import asyncio
import uuid

from control_plane import events
from control_plane.db import Conn
from control_plane.errors import VALIDATION, ApiError
from control_plane.foundation.permissions import Permission
from control_plane.foundation.services.audit import RequestOrigin, record_action
from control_plane.studio.models.versions import VersionPublic
from control_plane.studio.queries import projects, versions
from control_plane.studio.services import drafts, numbering, pages
from control_plane.studio.services.access import authorize_project


async def publish(
    connection: Conn, origin: RequestOrigin, user_id: uuid.UUID, project_id: uuid.UUID
) -> VersionPublic:
    async with connection.transaction():
        organization_id = await authorize_project(
            connection, user_id, project_id, Permission.PROJECTS_WRITE
        )
        current = await projects.draft(connection, project_id, lock=True)
        # Checking and comparing large specs costs CPU for a while: not on the event loop.
        spec = await asyncio.to_thread(drafts.checked, current.spec)
        if spec is None:
            raise ApiError(VALIDATION, {"tables": "Add a table before publishing."})
        frozen_pages = await pages.frozen(connection, project_id)
        latest = await versions.latest(connection, project_id)
        number, changes = await asyncio.to_thread(
            numbering.next_version, latest, spec, current.spec, frozen_pages
        )
        version = ".".join(str(part) for part in number)
        document = {**current.spec, "project": {**current.spec["project"], "version": version}}
        public_changes = [numbering.change_public(change) for change in changes]
        await versions.insert(
            connection, project_id, number, document, frozen_pages, public_changes, user_id
        )
        await projects.set_published(connection, project_id)
        await record_action(
            connection,
            origin,
            user_id,
            organization_id,
            "version.publish",
            project_id,
            {"number": version, "changes": len(changes)},
        )
        await events.emit(
            connection,
            organization_id,
            events.PROJECT_PUBLISHED,
            {"project_id": str(project_id), "name": current.name, "version": version},
            project_id=project_id,
        )
        published = await versions.one(connection, project_id, version)
        assert published is not None
        return published
