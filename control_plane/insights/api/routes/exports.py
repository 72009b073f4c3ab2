"""`/exports/`: a report or the activity feed as a file, CSV, JSON or PDF
(docs/insights.md, "Exports"), with the parameters of GET /analytics/ or of
GET /activities/."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse

from control_plane.foundation.api.deps import AppSettings, Caller, Connection
from control_plane.foundation.queries.organizations import one_of_member
from control_plane.insights.models.exports import MEDIA_TYPES, ExportFormat, ExportSource
from control_plane.insights.services import analytics, exports

router = APIRouter(prefix="/exports", tags=["insights exports"])

_OWN_PARAMETERS = {"organization", "format", "source", "page", "page_size"}


def _file(
    body: bytes | Iterator[str] | AsyncIterator[str], name: str, export_format: ExportFormat
) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    media_type = MEDIA_TYPES[export_format]
    if isinstance(body, bytes):
        return Response(body, media_type=media_type, headers=headers)
    return StreamingResponse(body, media_type=media_type, headers=headers)


@router.get("/", response_class=Response)
async def export(
    organization: uuid.UUID,
    request: Request,
    caller: Caller,
    connection: Connection,
    settings: AppSettings,
    export_format: Annotated[ExportFormat, Query(alias="format")] = ExportFormat.CSV,
    source: ExportSource = ExportSource.ANALYTICS,
) -> Response:
    """`source=analytics` takes the parameters of GET /analytics/; `source=activities`
    those of GET /activities/ (`project`, `app`, `user`, `name`, `since`, `until`). A
    CLIENT's export covers their own events."""
    parameters = analytics.query_string_parameters(
        request.query_params.multi_items(), ignored=_OWN_PARAMETERS
    )
    max_rows = settings.insights_export_pdf_rows
    if source == ExportSource.ANALYTICS:
        query = analytics.parse(parameters)
        period = analytics.resolve_period(query)
        scope = await analytics.scope_of(connection, caller.id, organization)
        report = await analytics.run(connection, organization, query, period, scope, caller.id)
        name = exports.filename(query.report, period, export_format)
        if export_format == ExportFormat.CSV:
            return _file(exports.report_csv(report), name, export_format)
        if export_format == ExportFormat.JSON:
            return _file(exports.report_json(report), name, export_format)
        owner = await one_of_member(connection, organization, caller.id)
        return _file(await exports.report_pdf(report, owner.name, max_rows), name, export_format)
    activities, period = exports.parse_activities(parameters)
    scope = await analytics.scope_of(connection, caller.id, organization)
    filters = exports.activity_filters(activities, scope)
    values = exports.activity_values(activities, period, organization, caller.id)
    name = exports.filename("activities", period, export_format)
    pool = request.app.state.pool
    if export_format == ExportFormat.CSV:
        return _file(exports.activities_csv(pool, filters, values), name, export_format)
    if export_format == ExportFormat.JSON:
        return _file(exports.activities_json(pool, filters, values), name, export_format)
    owner = await one_of_member(connection, organization, caller.id)
    document = await exports.activities_pdf(
        connection, filters, values, owner.name, period, scope, max_rows
    )
    return _file(document, name, export_format)
