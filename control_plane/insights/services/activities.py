"""The activity feed: read by organisation (a CLIENT's answered over their own
activities only), and written by hand through POST /activities/ (source `api`). The
platform's own activities are written by the collector (services/collector.py)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime

from control_plane.config import Settings
from control_plane.db import Conn
from control_plane.errors import VALIDATION, ApiError
from control_plane.foundation.models import Role
from control_plane.foundation.permissions import Permission, allowed
from control_plane.insights.models.activities import ActivityCreate, ActivityPublic
from control_plane.insights.queries.access import Target
from control_plane.insights.queries.events import ACTIVITY, EventRow
from control_plane.insights.services import rollups
from control_plane.insights.services.access import check_access
from control_plane.insights.services.track import occurred_at
from control_plane.security.tokens import Claims

API_SOURCE = "api"


def named_target(
    organization: uuid.UUID | None, project: uuid.UUID | None, app: uuid.UUID | None
) -> Target:
    """The feed's organisation, named directly or by a project or app; 400 without any."""
    if organization is None and project is None and app is None:
        raise ApiError(VALIDATION, {"organization": "give organization, project or app"})
    return Target(organization, project, app)


async def feed_filters(
    connection: Conn, claims: Claims, target: Target, filters: Mapping[str, object]
) -> dict[str, object]:
    """The values of queries/activities.py's FEED for the caller: the target's
    organisation's activities; only the caller's own for a role without INSIGHTS_READ
    (the same request, answered over their own activities)."""
    granted = await check_access(connection, claims, target, Permission.INSIGHTS_OWN)
    assert granted.role is not None and granted.organization_id is not None
    user = filters.get("user")
    if not allowed(Role(granted.role), Permission.INSIGHTS_READ):
        user = claims.user_id
    return {
        **filters,
        "organization": granted.organization_id,
        "project": granted.project_id,
        "app": target.app_id,
        "user": user,
    }


async def create(
    connection: Conn, settings: Settings, claims: Claims, body: ActivityCreate
) -> ActivityPublic:
    """Record an activity of the caller (source `api`) with its rollups."""
    at = occurred_at(body.timestamp, datetime.now(UTC), settings, "timestamp")
    target = Target(body.organization_id, body.project_id, body.app_id)
    async with connection.transaction():
        granted = await check_access(connection, claims, target, Permission.INSIGHTS_TRACK)
        assert granted.organization_id is not None
        row = EventRow(
            organization_id=granted.organization_id,
            project_id=granted.project_id,
            app_id=body.app_id,
            kind=ACTIVITY,
            name=body.name,
            distinct_id=str(claims.user_id),
            user_id=claims.user_id,
            properties=body.properties,
            occurred_at=at,
            source=API_SOURCE,
        )
        inserted = await rollups.write(connection, [row])
    return ActivityPublic(
        id=inserted.id,
        organization_id=row.organization_id,
        project_id=row.project_id,
        app_id=row.app_id,
        name=row.name,
        source=API_SOURCE,
        actor=claims.user_id,
        distinct_id=row.distinct_id,
        properties=json.loads(row.properties),
        occurred_at=at,
    )
