"""Dependencies of the Foundation's handlers, named as in the generated apps: the
`Connection`, the `Caller` (the access token's user, checked against a live session),
the `AppSettings`, the request's `Origin` for the audit log, and `Pagination`."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from control_plane.config import Settings
from control_plane.db import Connection
from control_plane.errors import NOT_AUTHENTICATED, ApiError
from control_plane.foundation.queries import sessions
from control_plane.foundation.queries.sessions import SessionUser
from control_plane.foundation.services.audit import RequestOrigin
from control_plane.logs import request_id
from control_plane.pagination import Pagination
from control_plane.security.tokens import decode

__all__ = ["AppSettings", "Caller", "Connection", "Credentials", "Origin", "Pagination"]

_bearer = HTTPBearer(auto_error=False, description="The `access` token of /auth/login/")


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


AppSettings = Annotated[Settings, Depends(get_settings)]
# The bearer token as sent, for a handler that must check it on a connection of its own.
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


async def get_caller(
    settings: AppSettings,
    connection: Connection,
    credentials: Credentials,
) -> SessionUser:
    secret = settings.jwt_secret.get_secret_value()
    claims = decode(secret, "access", credentials.credentials) if credentials else None
    if claims is None:
        raise ApiError(NOT_AUTHENTICATED, headers={"WWW-Authenticate": "Bearer"})
    caller = await sessions.user_of_session(connection, claims.session_id, claims.user_id)
    if caller is None:  # logged out, or the user is gone
        raise ApiError(NOT_AUTHENTICATED, headers={"WWW-Authenticate": "Bearer"})
    return caller


Caller = Annotated[SessionUser, Depends(get_caller)]


async def get_origin(request: Request) -> RequestOrigin:
    return RequestOrigin(
        address=request.client.host if request.client else None,
        user_agent=request.headers.get("user-agent", "")[:500],
        request_id=request_id.get(),
    )


Origin = Annotated[RequestOrigin, Depends(get_origin)]
