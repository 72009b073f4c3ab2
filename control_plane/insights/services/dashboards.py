"""Dashboards: saved reports of an organisation. MEMBER and above read them and manage
their own; ADMIN and above manage every dashboard of the organisation; a CLIENT has none.
Each report's query is checked as GET /analytics/ checks it, and shown with its current
figures when the dashboard is read."""

from __future__ import annotations

import uuid
from typing import Any

from control_plane.db import Conn
from control_plane.errors import NOT_FOUND, PERMISSION_DENIED, ApiError
from control_plane.foundation.models import Role
from control_plane.foundation.permissions import Permission, allowed, authorize, authorize_object
from control_plane.foundation.services.audit import RequestOrigin, record_action
from control_plane.insights.models.analytics import ReportQuery, Scope
from control_plane.insights.models.dashboards import (
    DashboardCreate,
    DashboardPublic,
    DashboardReport,
    DashboardReportPublic,
    DashboardUpdate,
)
from control_plane.insights.queries import dashboards
from control_plane.insights.queries.dashboards import DashboardRow
from control_plane.insights.services import analytics

_MISSING = {"dashboard": "No such dashboard."}


def public(row: DashboardRow) -> DashboardPublic:
    return DashboardPublic(
        id=row.id,
        organization_id=row.organization_id,
        owner_id=row.owner_id,
        name=row.name,
        description=row.description,
        reports=[DashboardReportPublic.model_validate(report) for report in row.reports],
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _checked_query(query: dict[str, Any], prefix: str) -> ReportQuery:
    report = analytics.parse(query, prefix)
    analytics.resolve_period(report, prefix)
    return report


def checked_reports(reports: list[DashboardReport]) -> list[dict[str, Any]]:
    """The reports as stored: each query as the analytics model read it (the keys given),
    or 400 naming the bad parameter (`reports.2.query.steps`)."""
    return [
        {
            "title": report.title,
            "query": _checked_query(report.query, f"reports.{number}.query.").model_dump(
                mode="json", exclude_unset=True
            ),
        }
        for number, report in enumerate(reports)
    ]


async def _authorize(
    connection: Conn, user_id: uuid.UUID, dashboard_id: uuid.UUID
) -> tuple[Role, DashboardRow]:
    organization_id = await dashboards.organization_of(connection, dashboard_id)
    role = await authorize_object(
        connection, user_id, organization_id, Permission.INSIGHTS_READ, _MISSING
    )
    row = await dashboards.one(connection, dashboard_id)
    if row is None:  # deleted meanwhile
        raise ApiError(NOT_FOUND, _MISSING)
    return role, row


async def _authorize_change(
    connection: Conn, user_id: uuid.UUID, dashboard_id: uuid.UUID
) -> DashboardRow:
    """A MEMBER changes their own dashboards; ADMIN and above, any of the organisation."""
    role, row = await _authorize(connection, user_id, dashboard_id)
    if row.owner_id != user_id and not allowed(role, Permission.INSIGHTS_MANAGE):
        raise ApiError(
            PERMISSION_DENIED, {"dashboard": "Only its owner or an ADMIN may change it."}
        )
    return row


async def one(connection: Conn, user_id: uuid.UUID, dashboard_id: uuid.UUID) -> DashboardPublic:
    """The dashboard with each report's current figures."""
    _, row = await _authorize(connection, user_id, dashboard_id)
    dashboard = public(row)
    for report in dashboard.reports:
        query = analytics.parse(report.query)
        try:
            period = analytics.resolve_period(query)
        except ApiError as error:
            report.error = error.details
            continue
        report.result = await analytics.run(
            connection, row.organization_id, query, period, Scope.ORGANIZATION, user_id
        )
    return dashboard


async def create(
    connection: Conn, origin: RequestOrigin, user_id: uuid.UUID, body: DashboardCreate
) -> DashboardPublic:
    reports = checked_reports(body.reports)
    async with connection.transaction():
        await authorize(connection, user_id, body.organization_id, Permission.INSIGHTS_READ)
        row = await dashboards.insert(
            connection, body.organization_id, user_id, body.name, body.description, reports
        )
        await record_action(
            connection, origin, user_id, body.organization_id, "dashboard.create", row.id
        )
    return public(row)


async def update(
    connection: Conn,
    origin: RequestOrigin,
    user_id: uuid.UUID,
    dashboard_id: uuid.UUID,
    body: DashboardUpdate,
) -> DashboardPublic:
    reports = None if body.reports is None else checked_reports(body.reports)
    async with connection.transaction():
        current = await _authorize_change(connection, user_id, dashboard_id)
        row = await dashboards.update(
            connection, dashboard_id, body.name, body.description, reports
        )
        fields = sorted(body.model_dump(exclude_unset=True))
        await record_action(
            connection,
            origin,
            user_id,
            current.organization_id,
            "dashboard.update",
            dashboard_id,
            {"fields": fields},
        )
    return public(row)


async def delete(
    connection: Conn, origin: RequestOrigin, user_id: uuid.UUID, dashboard_id: uuid.UUID
) -> None:
    async with connection.transaction():
        current = await _authorize_change(connection, user_id, dashboard_id)
        await dashboards.delete(connection, dashboard_id)
        await record_action(
            connection, origin, user_id, current.organization_id, "dashboard.delete", dashboard_id
        )
