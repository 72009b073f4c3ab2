"""SQL of `runs`: one row per run, its status moving forward only."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg import sql
from psycopg.types.json import Jsonb

from control_plane.db import Conn, fetch_one, fetch_value
from control_plane.pagination import Listing
from control_plane.runs.models import RunKind, RunStatus


@dataclass(frozen=True)
class Run:
    id: uuid.UUID
    organization_id: uuid.UUID
    kind: RunKind
    status: RunStatus
    job_id: int | None
    performed_by: uuid.UUID | None
    error_code: str | None
    error_message: str | None
    details: dict[str, Any]
    created_at: datetime
    started_at: datetime | None
    completed_at: datetime | None

    def __post_init__(self) -> None:  # the row's text as the enums it is
        object.__setattr__(self, "kind", RunKind(self.kind))
        object.__setattr__(self, "status", RunStatus(self.status))


_COLUMNS = sql.SQL("""
id, organization_id, kind, status, job_id, performed_by, error_code, error_message, details,
created_at, started_at, completed_at
""")

OF_ORGANIZATION = Listing(
    row=Run,
    columns=_COLUMNS,
    source=sql.SQL("FROM runs WHERE organization_id = %(organization)s AND kind = %(kind)s"),
    order=sql.SQL("created_at DESC, id"),
)

ONE = sql.SQL("SELECT {columns} FROM runs WHERE id = %(run)s").format(columns=_COLUMNS)

INSERT = """
INSERT INTO runs (organization_id, kind, performed_by, details)
VALUES (%(organization)s, %(kind)s, %(performed_by)s, %(details)s)
RETURNING id
"""

SET_JOB = "UPDATE runs SET job_id = %(job)s WHERE id = %(run)s"

START = """
UPDATE runs SET status = 'running', started_at = now()
WHERE id = %(run)s AND status = 'pending'
"""

# A finished run keeps its status: a late or repeated finish changes nothing.
FINISH = """
UPDATE runs SET status = %(status)s, error_code = %(error_code)s,
    error_message = %(error_message)s, details = details || %(details)s,
    started_at = coalesce(started_at, now()), completed_at = now()
WHERE id = %(run)s AND status IN ('pending', 'running')
RETURNING id
"""


async def one(connection: Conn, run_id: uuid.UUID) -> Run | None:
    return await fetch_one(connection, Run, ONE, {"run": run_id})


async def insert(
    connection: Conn,
    organization_id: uuid.UUID,
    kind: RunKind,
    performed_by: uuid.UUID | None,
    details: dict[str, Any],
) -> uuid.UUID:
    values = {
        "organization": organization_id,
        "kind": kind,
        "performed_by": performed_by,
        "details": Jsonb(details),
    }
    run_id = await fetch_value(connection, uuid.UUID, INSERT, values)
    assert run_id is not None
    return run_id


async def set_job(connection: Conn, run_id: uuid.UUID, job_id: int) -> None:
    await connection.execute(SET_JOB, {"run": run_id, "job": job_id})


async def start(connection: Conn, run_id: uuid.UUID) -> None:
    await connection.execute(START, {"run": run_id})


async def finish(
    connection: Conn,
    run_id: uuid.UUID,
    status: RunStatus,
    error_code: str | None,
    error_message: str | None,
    details: dict[str, Any],
) -> bool:
    values = {
        "run": run_id,
        "status": status,
        "error_code": error_code,
        "error_message": error_message,
        "details": Jsonb(details),
    }
    return await fetch_value(connection, uuid.UUID, FINISH, values) is not None
