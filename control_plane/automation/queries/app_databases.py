"""Which app of a project the local target runs in an environment (its database is in the
instance's folder, deployment/local_layout.py); SSH targets' databases are on their hosts."""

from __future__ import annotations

import uuid

from control_plane.db import Conn, fetch_value

LOCAL_APP = """
SELECT a.id FROM runtime_apps AS a
JOIN runtime_instances AS i ON i.app_id = a.id AND i.environment = %(environment)s
WHERE a.project_id = %(project)s AND i.target_id IS NULL
ORDER BY i.updated_at DESC, a.id
LIMIT 1
"""


async def local_app(connection: Conn, project_id: uuid.UUID, environment: str) -> uuid.UUID | None:
    values = {"project": project_id, "environment": environment}
    return await fetch_value(connection, uuid.UUID, LOCAL_APP, values)
