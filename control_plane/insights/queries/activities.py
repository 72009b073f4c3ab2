"""SQL of the activity feed: the activities (`kind` 'activity') of insights_events,
newest first, filtered. Every filter left None matches everything; `since` and `until`
let PostgreSQL read only the partitions of those days."""

from __future__ import annotations

from psycopg import sql

from control_plane.insights.models.activities import ActivityPublic
from control_plane.pagination import Listing

FEED = Listing(
    row=ActivityPublic,
    columns=sql.SQL(
        "id, organization_id, project_id, app_id, name, source, user_id AS actor, "
        "distinct_id, properties, occurred_at"
    ),
    source=sql.SQL("""
    FROM insights_events
    WHERE kind = 'activity' AND organization_id = %(organization)s
      AND (%(project)s::uuid IS NULL OR project_id = %(project)s)
      AND (%(app)s::uuid IS NULL OR app_id = %(app)s)
      AND (%(user)s::uuid IS NULL OR user_id = %(user)s)
      AND (%(name)s::text IS NULL OR name = %(name)s)
      AND (%(since)s::timestamptz IS NULL OR occurred_at >= %(since)s)
      AND (%(until)s::timestamptz IS NULL OR occurred_at < %(until)s)
    """),
    order=sql.SQL("occurred_at DESC, id DESC"),
)
