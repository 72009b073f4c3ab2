"""Published versions of Studio's projects (`studio_projects`, `studio_versions`), as
Runtime reads them: the project an app is made from, and the spec of one of its versions."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from control_plane.db import Conn, fetch_one


@dataclass(frozen=True)
class Project:
    id: uuid.UUID
    organization_id: uuid.UUID
    name: str


@dataclass(frozen=True)
class Version:
    number: str
    spec: dict[str, Any]


PROJECT = """
SELECT id, organization_id, name FROM studio_projects WHERE id = %(project)s
"""

# The given version (`number`), or the newest when `number` is null.
VERSION = """
SELECT number, spec FROM studio_versions
 WHERE project_id = %(project)s AND (%(number)s::text IS NULL OR number = %(number)s)
 ORDER BY major DESC, minor DESC, patch DESC LIMIT 1
"""


async def project(connection: Conn, project_id: uuid.UUID) -> Project | None:
    return await fetch_one(connection, Project, PROJECT, {"project": project_id})


async def version(connection: Conn, project_id: uuid.UUID, number: str | None) -> Version | None:
    """Version `number` of the project, or its newest with `number` None; None if none."""
    values = {"project": project_id, "number": number}
    return await fetch_one(connection, Version, VERSION, values)
