"""The activity feed (docs/insights.md, "Activities")."""

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request, status

from control_plane.db import Connection
from control_plane.foundation.api.deps import AppSettings, Pagination
from control_plane.insights.api.deps import TokenClaims
from control_plane.insights.models.activities import ActivityCreate, ActivityPublic
from control_plane.insights.models.track import EventName
from control_plane.insights.queries.activities import FEED
from control_plane.insights.services import activities
from control_plane.pagination import Page, fetch_page

router = APIRouter(prefix="/activities", tags=["insights activities"])


@router.get("/")
async def list_activities(
    request: Request,
    claims: TokenClaims,
    connection: Connection,
    pagination: Pagination,
    organization: uuid.UUID | None = None,
    project: uuid.UUID | None = None,
    app: uuid.UUID | None = None,
    user: uuid.UUID | None = None,
    name: Annotated[EventName | None, Query()] = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Page[ActivityPublic]:
    """Newest first. The organisation is `organization`, or that of `project` or `app`."""
    target = activities.named_target(organization, project, app)
    filters = {"user": user, "name": name, "since": since, "until": until}
    values = await activities.feed_filters(connection, claims, target, filters)
    return await fetch_page(connection, request, pagination, FEED, values)


@router.post("/", status_code=status.HTTP_201_CREATED)
async def create_activity(
    body: ActivityCreate, claims: TokenClaims, settings: AppSettings, connection: Connection
) -> ActivityPublic:
    return await activities.create(connection, settings, claims, body)
