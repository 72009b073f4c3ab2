"""`POST /apps/{app_id}/token/`: a token the app itself accepts, for the caller's role,
so that its own `api_base_url` works without the platform in between."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from control_plane.config import vault_of
from control_plane.foundation.api.deps import AppSettings, Caller, Connection, Origin
from control_plane.runtime.models.data import AppTokenPublic
from control_plane.runtime.models.environments import Environment
from control_plane.runtime.services import app_tokens

router = APIRouter(prefix="/apps", tags=["apps"])


@router.post("/{app_id}/token/")
async def issue_app_token(
    app_id: uuid.UUID,
    caller: Caller,
    origin: Origin,
    connection: Connection,
    settings: AppSettings,
    environment: Annotated[Environment, Query()] = Environment.PRODUCTION,
) -> AppTokenPublic:
    """For any member (APP_DATA); valid as long as a platform access token."""
    vault = vault_of(settings)
    lifetime = settings.access_token_minutes * 60
    return await app_tokens.issue(
        connection, origin, vault, caller.id, app_id, environment, lifetime
    )
