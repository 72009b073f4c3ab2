"""An app's deployments (seed 000): `POST /apps/{id}/deploy/` and `/rollback/` (ADMIN,
OWNER; 202, the job runs them), `GET /apps/{id}/status/` (health and performance asked of
the running app) and `/logs/` (every member). Bad input to a deployment answers the seed's
DEPLOY_003 with the fields."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, Request, Response, status
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

from control_plane.errors import ApiError, validation_details
from control_plane.foundation.api.deps import Caller, Connection, Origin
from control_plane.runtime.models.deployments import (
    AppLogs,
    AppStatus,
    DeploymentStarted,
    DeployRequest,
    RollbackRequest,
)
from control_plane.runtime.models.environments import Environment
from control_plane.runtime.services import deployments
from control_plane.runtime.services.deployments import INVALID_CONFIGURATION_ERROR


class DeploymentInputRoute(APIRoute):
    """A route whose bad input is DEPLOY_003 "Configuration invalide" (seed 000)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as error:
                details = validation_details(error)
                raise ApiError(INVALID_CONFIGURATION_ERROR, details) from None

        return handle


router = APIRouter(prefix="/apps", tags=["deployments"])


async def deploy_app(
    app_id: uuid.UUID, body: DeployRequest, caller: Caller, origin: Origin, connection: Connection
) -> DeploymentStarted:
    """Deploy the app's last generation to the target of `environment` (the app's own by
    default): an SSH target listing it, else this machine."""
    return await deployments.deploy(
        connection,
        origin,
        caller.id,
        app_id,
        body.environment,
        body.force_redeploy,
        body.migration_required,
    )


async def rollback_app(
    app_id: uuid.UUID,
    caller: Caller,
    origin: Origin,
    connection: Connection,
    body: RollbackRequest | None = None,
) -> DeploymentStarted:
    """Put back the release that served before the current one."""
    environment = body.environment if body else None
    return await deployments.rollback(connection, origin, caller.id, app_id, environment)


for path, endpoint in (("/{app_id}/deploy/", deploy_app), ("/{app_id}/rollback/", rollback_app)):
    router.add_api_route(
        path,
        endpoint,
        methods=["POST"],
        status_code=status.HTTP_202_ACCEPTED,
        route_class_override=DeploymentInputRoute,
    )


@router.get("/{app_id}/status/")
async def app_status(
    app_id: uuid.UUID,
    caller: Caller,
    connection: Connection,
    environment: Environment | None = None,
) -> AppStatus:
    return await deployments.status(connection, caller.id, app_id, environment)


@router.get("/{app_id}/logs/")
async def app_logs(app_id: uuid.UUID, caller: Caller, connection: Connection) -> AppLogs:
    """The app's latest deployments and rollbacks, with their steps."""
    return await deployments.app_logs(connection, caller.id, app_id)
