"""SQL of `automation_cron_ticks`: one row per (workflow, due time), so that a tick starts
one execution however many dispatchers see it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from control_plane.db import Conn, fetch_all, fetch_value


@dataclass(frozen=True)
class ComingTick:
    """A tick not due yet, with the execution (run) and job waiting for it."""

    run_id: uuid.UUID | None
    job_id: int | None


# Waits for a concurrent insert of the same tick, then inserts nothing: no row returned.
INSERT = """
INSERT INTO automation_cron_ticks (workflow_id, due_at) VALUES (%(workflow)s, %(due)s)
ON CONFLICT DO NOTHING
RETURNING due_at
"""

SET_RUN = """
UPDATE automation_cron_ticks SET run_id = %(run)s
WHERE workflow_id = %(workflow)s AND due_at = %(due)s
"""

DELETE_COMING = """
DELETE FROM automation_cron_ticks AS t
WHERE t.workflow_id = %(workflow)s AND t.due_at > now()
RETURNING t.run_id, (SELECT r.job_id FROM runs AS r WHERE r.id = t.run_id) AS job_id
"""

PRUNE = "DELETE FROM automation_cron_ticks WHERE due_at < now() - interval '1 day'"


async def insert(connection: Conn, workflow_id: uuid.UUID, due_at: datetime) -> bool:
    """False when the tick was there already."""
    values = {"workflow": workflow_id, "due": due_at}
    return await fetch_value(connection, datetime, INSERT, values) is not None


async def set_run(
    connection: Conn, workflow_id: uuid.UUID, due_at: datetime, run_id: uuid.UUID
) -> None:
    await connection.execute(SET_RUN, {"workflow": workflow_id, "due": due_at, "run": run_id})


async def delete_coming(connection: Conn, workflow_id: uuid.UUID) -> list[ComingTick]:
    return await fetch_all(connection, ComingTick, DELETE_COMING, {"workflow": workflow_id})


async def prune(connection: Conn) -> None:
    await connection.execute(PRUNE)
