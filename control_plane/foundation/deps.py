"""Who is calling: the access token's user, checked against a live session."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from control_plane.config import Settings
from control_plane.db import Connection
from control_plane.errors import NOT_AUTHENTICATED, ApiError
from control_plane.security.tokens import decode

_bearer = HTTPBearer(auto_error=False, description="The `access` token of /auth/login/")

_USER_OF_SESSION = """
SELECT u.id, u.email, u.first_name, u.last_name, u.email_verified_at, u.created_at,
       u.updated_at, s.id AS session_id
FROM sessions AS s JOIN users AS u ON u.id = s.user_id
WHERE s.id = %s AND u.id = %s AND s.revoked_at IS NULL
"""


@dataclass(frozen=True)
class Caller:
    id: uuid.UUID
    email: str
    first_name: str
    last_name: str
    email_verified_at: datetime | None
    created_at: datetime
    updated_at: datetime
    session_id: uuid.UUID


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def _caller(
    request: Request,
    connection: Connection,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Caller:
    secret = settings_of(request).jwt_secret.get_secret_value()
    claims = decode(secret, "access", credentials.credentials) if credentials else None
    if claims is None:
        raise ApiError(NOT_AUTHENTICATED, headers={"WWW-Authenticate": "Bearer"})
    cursor = await connection.execute(_USER_OF_SESSION, (claims.session_id, claims.user_id))
    row = await cursor.fetchone()
    if row is None:  # logged out, or the user is gone
        raise ApiError(NOT_AUTHENTICATED, headers={"WWW-Authenticate": "Bearer"})
    return Caller(**row)


CurrentUser = Annotated[Caller, Depends(_caller)]
AppSettings = Annotated[Settings, Depends(settings_of)]
