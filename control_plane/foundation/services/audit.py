"""The audit log: every write records who, what, which object, when and from where, in
the same transaction as the write (no write without its entry, no entry without its
write). ADMIN and OWNER read their organisation's entries."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from psycopg.types.json import Jsonb

from control_plane.db import Conn
from control_plane.foundation.queries import audit_log


@dataclass(frozen=True)
class RequestOrigin:
    """Where a request came from, as the audit log keeps it."""

    address: str | None
    user_agent: str
    request_id: str | None


async def record(
    connection: Conn,
    origin: RequestOrigin,
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
        audit_log.INSERT,
        {
            "organization": organization_id,
            "actor": actor_id,
            "action": action,
            "object_type": object_type,
            "object_id": str(object_id),
            "ip": origin.address,
            "user_agent": origin.user_agent,
            "request_id": origin.request_id,
            "details": Jsonb(details or {}),
        },
    )


async def record_action(
    connection: Conn,
    origin: RequestOrigin,
    user_id: uuid.UUID,
    organization_id: uuid.UUID,
    action: str,
    object_id: uuid.UUID | str,
    details: dict[str, Any] | None = None,
) -> None:
    """A member's write in an organisation: the object type is the action's first word
    (`workflow.create` -> workflow)."""
    await record(
        connection,
        origin,
        actor_id=user_id,
        organization_id=organization_id,
        action=action,
        object_type=action.split(".")[0],
        object_id=object_id,
        details=details,
    )


async def record_account(
    connection: Conn,
    origin: RequestOrigin,
    user_id: uuid.UUID,
    action: str,
    details: dict[str, Any] | None = None,
) -> None:
    """An entry about a user's own account: the user is actor and object, no organisation."""
    await record(
        connection,
        origin,
        actor_id=user_id,
        organization_id=None,
        action=action,
        object_type="user",
        object_id=user_id,
        details=details,
    )
