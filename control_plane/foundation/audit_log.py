"""`/organizations/{id}/audit-log/`: the organisation's audit entries, newest first, for
ADMIN and OWNER, filtered by action, actor, object and time."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request

from control_plane.db import Connection
from control_plane.foundation.deps import CurrentUser
from control_plane.foundation.permissions import Permission, authorize
from control_plane.foundation.schemas import WITHOUT_NUL, AuditEntry
from control_plane.pagination import Listing, Page, Pagination, fetch_page

router = APIRouter(tags=["audit"])

_ENTRIES = Listing(
    columns="id, actor_id, action, object_type, object_id, ip, user_agent, request_id, "
    "details, created_at",
    source="""
    FROM audit_log
    WHERE organization_id = %(organization)s
      AND (%(action)s::text IS NULL OR action = %(action)s)
      AND (%(actor)s::uuid IS NULL OR actor_id = %(actor)s)
      AND (%(object_type)s::text IS NULL OR object_type = %(object_type)s)
      AND (%(object_id)s::text IS NULL OR object_id = %(object_id)s)
      AND (%(since)s::timestamptz IS NULL OR created_at >= %(since)s)
      AND (%(until)s::timestamptz IS NULL OR created_at < %(until)s)
    """,
    order="created_at DESC, id DESC",
)
Filter = Annotated[str | None, Query(max_length=200, pattern=WITHOUT_NUL)]


@router.get("/organizations/{organization_id}/audit-log/")
async def list_audit_entries(
    organization_id: uuid.UUID,
    user: CurrentUser,
    request: Request,
    connection: Connection,
    pagination: Pagination,
    action: Filter = None,
    actor: uuid.UUID | None = None,
    object_type: Filter = None,
    object_id: Filter = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Page[AuditEntry]:
    await authorize(connection, user.id, organization_id, Permission.AUDIT_READ)
    values = {
        "organization": organization_id,
        "action": action,
        "actor": actor,
        "object_type": object_type,
        "object_id": object_id,
        "since": since,
        "until": until,
    }
    return Page[AuditEntry](**await fetch_page(connection, request, pagination, _ENTRIES, values))
