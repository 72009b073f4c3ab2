"""`/analytics/`: the reports over an organisation's events (docs/insights.md, "Analytics
and dashboards"). The parameters are read as one model (`ReportQuery`), the one a saved
dashboard and an export read too."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request

from control_plane.foundation.api.deps import Caller, Connection
from control_plane.insights.models.analytics import ReportPublic
from control_plane.insights.services import analytics

router = APIRouter(prefix="/analytics", tags=["insights analytics"])


@router.get("/")
async def report(
    organization: uuid.UUID, request: Request, caller: Caller, connection: Connection
) -> ReportPublic:
    """`report=counts|top_events|funnel|retention` with `interval`, `event` (repeatable),
    `project`, `since`, `until`, `properties` (a JSON object), `steps`, `window_days`,
    `limit`. A caller who may not read the organisation's analytics (a CLIENT) gets the
    same report over their own events."""
    parameters = analytics.query_string_parameters(
        request.query_params.multi_items(), ignored={"organization"}
    )
    query = analytics.parse(parameters)
    period = analytics.resolve_period(query)
    scope = await analytics.scope_of(connection, caller.id, organization)
    return await analytics.run(connection, organization, query, period, scope, caller.id)
