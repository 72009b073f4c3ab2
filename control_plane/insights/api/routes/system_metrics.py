"""System metrics (docs/insights.md, "System metrics"): `GET /system-metrics/?organization=`,
the platform's resources and health, and the organisation's targets'. ADMIN and OWNER."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from control_plane.foundation.api.deps import AppSettings, Caller, Connection
from control_plane.insights.models.system_metrics import SystemMetricsPublic
from control_plane.insights.services import system_metrics

router = APIRouter(prefix="/system-metrics", tags=["insights system-metrics"])


@router.get("/")
async def read_system_metrics(
    organization: uuid.UUID, caller: Caller, connection: Connection, settings: AppSettings
) -> SystemMetricsPublic:
    return await system_metrics.read(
        connection, caller.id, organization, settings.data_dir.resolve()
    )
