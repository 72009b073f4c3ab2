"""Dependencies of Insights' handlers: the access token's claims (checked against the
session later, in the same query as the caller's role), and for tracking, in one
dependency (each costs a tracking request's CPU), the claims, the settings and the
process's event writer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from control_plane.config import Settings
from control_plane.errors import NOT_AUTHENTICATED, ApiError
from control_plane.foundation.api.deps import Credentials
from control_plane.insights.services.writer import EventWriter
from control_plane.security.tokens import Claims, decode


def _claims(settings: Settings, credentials: Credentials) -> Claims:
    secret = settings.jwt_secret.get_secret_value()
    claims = decode(secret, "access", credentials.credentials) if credentials else None
    if claims is None:
        raise ApiError(NOT_AUTHENTICATED, headers={"WWW-Authenticate": "Bearer"})
    return claims


async def get_claims(request: Request, credentials: Credentials) -> Claims:
    return _claims(request.app.state.settings, credentials)


@dataclass(frozen=True)
class Tracking:
    claims: Claims
    settings: Settings
    writer: EventWriter


async def get_tracking(request: Request, credentials: Credentials) -> Tracking:
    settings: Settings = request.app.state.settings
    writer: EventWriter = request.app.state.event_writer
    return Tracking(_claims(settings, credentials), settings, writer)


TokenClaims = Annotated[Claims, Depends(get_claims)]
TrackingDep = Annotated[Tracking, Depends(get_tracking)]
