"""SQL of `studio_versions`: rows are only ever inserted, never changed."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from psycopg import sql
from psycopg.types.json import Json

from control_plane.db import Conn, fetch_all, fetch_one
from control_plane.pagination import Listing
from control_plane.studio.models.versions import VersionPublic, VersionSummary


@dataclass(frozen=True)
class Latest:
    major: int
    minor: int
    patch: int
    spec: dict[str, Any]
    pages: list[dict[str, Any]]


_SUMMARY = sql.SQL("project_id, number, changes, published_by, created_at")

OF_PROJECT = Listing(
    row=VersionSummary,
    columns=_SUMMARY,
    source=sql.SQL("FROM studio_versions WHERE project_id = %(project)s"),
    order=sql.SQL("major DESC, minor DESC, patch DESC"),
)

ONE = sql.SQL("""
SELECT {summary}, spec, pages FROM studio_versions
WHERE project_id = %(project)s AND number = %(number)s
""").format(summary=_SUMMARY)

ALL = sql.SQL("""
SELECT {summary}, spec, pages FROM studio_versions WHERE project_id = %(project)s
ORDER BY major, minor, patch
""").format(summary=_SUMMARY)

LATEST = """
SELECT major, minor, patch, spec, pages FROM studio_versions WHERE project_id = %(project)s
ORDER BY major DESC, minor DESC, patch DESC LIMIT 1
"""

INSERT = """
INSERT INTO studio_versions (project_id, major, minor, patch, spec, pages, changes, published_by)
VALUES (%(project)s, %(major)s, %(minor)s, %(patch)s, %(spec)s, %(pages)s, %(changes)s, %(user)s)
"""


async def one(connection: Conn, project_id: uuid.UUID, number: str) -> VersionPublic | None:
    values = {"project": project_id, "number": number}
    return await fetch_one(connection, VersionPublic, ONE, values)


async def every(connection: Conn, project_id: uuid.UUID) -> list[VersionPublic]:
    """Every version of the project, oldest first."""
    return await fetch_all(connection, VersionPublic, ALL, {"project": project_id})


async def latest(connection: Conn, project_id: uuid.UUID) -> Latest | None:
    return await fetch_one(connection, Latest, LATEST, {"project": project_id})


async def insert(
    connection: Conn,
    project_id: uuid.UUID,
    number: tuple[int, int, int],
    spec: dict[str, Any],
    pages: list[dict[str, Any]],
    changes: list[dict[str, str]],
    user_id: uuid.UUID | None,
) -> None:
    major, minor, patch = number
    values = {
        "project": project_id,
        "major": major,
        "minor": minor,
        "patch": patch,
        "spec": Json(spec),
        "pages": Json(pages),
        "changes": Json(changes),
        "user": user_id,
    }
    await connection.execute(INSERT, values)
