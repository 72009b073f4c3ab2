"""`/organizations/{id}/audit-log/`: the organisation's audit entries, newest first, for
ADMIN and OWNER, filtered by action, actor, object and time."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request

from control_plane.foundation.api.deps import Caller, Connection, Pagination
from control_plane.foundation.models import WITHOUT_NUL, AuditEntry
from control_plane.foundation.permissions import Permission, authorize
from control_plane.foundation.queries import audit_log as queries
from control_plane.pagination import Page, fetch_page

router = APIRouter(tags=["audit"])

Filter = Annotated[str | None, Query(max_length=200, pattern=WITHOUT_NUL)]


@router.get("/organizations/{organization_id}/audit-log/")
async def list_audit_entries(
    organization_id: uuid.UUID,
    caller: Caller,
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
    await authorize(connection, caller.id, organization_id, Permission.AUDIT_READ)
    values = {
        "organization": organization_id,
        "action": action,
        "actor": actor,
        "object_type": object_type,
        "object_id": object_id,
        "since": since,
        "until": until,
    }
    return await fetch_page(connection, request, pagination, queries.ENTRIES, values)
