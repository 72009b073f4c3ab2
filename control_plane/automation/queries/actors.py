"""Who a workflow's nodes act as when they use a project's app: the member who activated
it last, else who created it (their role, read at each run, bounds what the app lets the
node do)."""

from __future__ import annotations

import uuid

from control_plane.db import Conn, fetch_value

ACTOR = """
SELECT coalesce(activated_by, created_by) FROM automation_workflows WHERE id = %(workflow)s
"""


async def of_workflow(connection: Conn, workflow_id: uuid.UUID) -> uuid.UUID | None:
    return await fetch_value(connection, uuid.UUID, ACTOR, {"workflow": workflow_id})
