"""Dependencies of Insights' handlers: the access token's claims (checked against the
session later, in the same query as the caller's role) and the process's event writer."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from control_plane.errors import NOT_AUTHENTICATED, ApiError
from control_plane.foundation.api.deps import AppSettings, Credentials
from control_plane.insights.services.writer import EventWriter
from control_plane.security.tokens import Claims, decode


async def get_claims(settings: AppSettings, credentials: Credentials) -> Claims:
    secret = settings.jwt_secret.get_secret_value()
    claims = decode(secret, "access", credentials.credentials) if credentials else None
    if claims is None:
        raise ApiError(NOT_AUTHENTICATED, headers={"WWW-Authenticate": "Bearer"})
    return claims


async def get_writer(request: Request) -> EventWriter:
    writer: EventWriter = request.app.state.event_writer
    return writer


TokenClaims = Annotated[Claims, Depends(get_claims)]
Writer = Annotated[EventWriter, Depends(get_writer)]
