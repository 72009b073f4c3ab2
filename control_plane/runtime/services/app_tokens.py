"""Tokens the platform signs for an app, with the app's own key (runtime_apps.jwt_secret):
for each forwarded request, and for a member who calls the app's `api_base_url` directly.

Their claims are the ones a generated app reads: `sub` (the user's id), `role` (the
caller's role in the app's organisation, which the app maps to its per-table permissions)
and `exp`.
"""

from __future__ import annotations

import time
import uuid
from functools import lru_cache

import jwt

from control_plane.db import Conn
from control_plane.errors import NOT_FOUND, ApiError, ErrorKind
from control_plane.foundation.models import Role
from control_plane.foundation.permissions import Permission, authorize_object
from control_plane.foundation.services.audit import RequestOrigin, record
from control_plane.runtime.models.data import AppTokenPublic
from control_plane.runtime.models.environments import Environment
from control_plane.runtime.queries import forwarding
from control_plane.runtime.services.apps import NO_APP
from platform_support.vault import Vault

APP_NOT_DEPLOYED = ErrorKind(
    404, "APP_NOT_DEPLOYED", "No app of this project is deployed in this environment"
)
API_BASE = "/api/v1/runtime/projects/{project_id}/"
# A token is signed once per window and handed out for the whole window, so that the app's
# cache of verified tokens keeps working; it stays valid `lifetime` seconds past the window.
REUSE_SECONDS = 60
PLATFORM_SUBJECT = "platform"


@lru_cache(maxsize=4096)
def _signed(secret: str, subject: str, role: Role, expires: int) -> str:
    return jwt.encode({"sub": subject, "role": role.value, "exp": expires}, secret, "HS256")


def _expiry(lifetime: int) -> int:
    """The end of the current window, plus `lifetime` seconds."""
    return (int(time.time()) // REUSE_SECONDS + 1) * REUSE_SECONDS + lifetime


def app_token(secret: str, user_id: uuid.UUID, role: Role, lifetime: int) -> tuple[str, int]:
    """A token for `role`, signed with the app's secret, and the seconds it is valid for
    (between `lifetime` and `lifetime` + REUSE_SECONDS)."""
    expires = _expiry(lifetime)
    return _signed(secret, str(user_id), role, expires), expires - int(time.time())


def platform_token(secret: str, role: Role, lifetime: int) -> str:
    """A token for the platform's own calls to an app (no user behind them: `sub` is
    PLATFORM_SUBJECT), valid at least `lifetime` seconds."""
    return _signed(secret, PLATFORM_SUBJECT, role, _expiry(lifetime))


def not_deployed(environment: Environment) -> ApiError:
    return ApiError(APP_NOT_DEPLOYED, {"environment": f"Nothing is deployed in {environment}."})


async def issue(
    connection: Conn,
    origin: RequestOrigin,
    vault: Vault,
    user_id: uuid.UUID,
    app_id: uuid.UUID,
    environment: Environment,
    lifetime: int,
) -> AppTokenPublic:
    """An app token for the caller's role, to call the app's `api_base_url` in
    `environment` directly; recorded in the audit log (without the token)."""
    async with connection.transaction():
        app = await forwarding.of_app(connection, app_id, environment)
        if app is None:
            raise ApiError(NOT_FOUND, NO_APP)
        role = await authorize_object(
            connection, user_id, app.organization_id, Permission.APP_DATA, NO_APP
        )
        if app.url is None or app.jwt_secret is None:
            raise not_deployed(environment)
        token, expires_in = app_token(vault.decrypt(app.jwt_secret), user_id, role, lifetime)
        await record(
            connection,
            origin,
            actor_id=user_id,
            organization_id=app.organization_id,
            action="app.token",
            object_type="app",
            object_id=app_id,
            details={"environment": environment.value, "role": role.value},
        )
    api_base_url = app.url.rstrip("/") + API_BASE.format(project_id=app.project_id)
    return AppTokenPublic(token=token, expires_in=expires_in, api_base_url=api_base_url, role=role)
