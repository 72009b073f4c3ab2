"""The audit log: every write records who, what, which object, when and from where, in
the same transaction as the write (no write without its entry, no entry without its
write). ADMIN and OWNER read their organisation's entries."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import Request
from psycopg.types.json import Jsonb

from control_plane.db import Conn
from control_plane.logs import request_id

_INSERT = """
INSERT INTO audit_log (organization_id, actor_id, action, object_type, object_id, ip,
                       user_agent, request_id, details)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)
"""


async def record(
    connection: Conn,
    request: Request,
    *,
    actor_id: uuid.UUID | None,
    organization_id: uuid.UUID | None,
    action: str,
    object_type: str,
    object_id: uuid.UUID | str,
    details: dict[str, Any] | None = None,
) -> None:
    """Add an entry; `details` must never hold a secret (password, token, key)."""
    await connection.execute(
        _INSERT,
        (
            organization_id,
            actor_id,
            action,
            object_type,
            str(object_id),
            request.client.host if request.client else None,
            request.headers.get("user-agent", "")[:500],
            request_id.get(),
            Jsonb(details or {}),
        ),
    )


async def record_account(
    connection: Conn,
    request: Request,
    user_id: uuid.UUID,
    action: str,
    details: dict[str, Any] | None = None,
) -> None:
    """An entry about a user's own account: the user is actor and object, no organisation."""
    await record(
        connection,
        request,
        actor_id=user_id,
        organization_id=None,
        action=action,
        object_type="user",
        object_id=user_id,
        details=details,
    )
