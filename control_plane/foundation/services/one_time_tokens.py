"""One-time tokens for the links sent by email: email verification, password reset and
invitations. Only the SHA-256 of a token is stored; a token is used at most once and
expires (the settings' `EMAIL_TOKEN_HOURS`)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from enum import StrEnum

from control_plane.config import Settings
from control_plane.db import Conn
from control_plane.errors import INVALID_TOKEN, ApiError
from control_plane.foundation.queries import one_time_tokens
from control_plane.foundation.queries.one_time_tokens import IssuedToken, UsedToken
from control_plane.security.tokens import digest, one_time_secret


class Purpose(StrEnum):
    VERIFY_EMAIL = "verify_email"
    RESET_PASSWORD = "reset_password"
    INVITATION = "invitation"


# The one answer for a token that cannot be used, whatever the reason.
UNUSABLE = {"token": "Invalid, expired or already used."}


async def create(
    connection: Conn,
    settings: Settings,
    purpose: Purpose,
    *,
    user_id: uuid.UUID | None = None,
    organization_id: uuid.UUID | None = None,
    email: str | None = None,
    role: str | None = None,
) -> tuple[str, IssuedToken]:
    """A new token (to send, never stored) and its row."""
    token, token_hash = one_time_secret()
    lifetime = timedelta(hours=settings.email_token_hours)
    issued = await one_time_tokens.insert(
        connection,
        token_hash,
        purpose,
        lifetime,
        user_id=user_id,
        organization_id=organization_id,
        email=email,
        role=role,
    )
    return token, issued


def link(settings: Settings, path: str, token: str) -> str:
    """The web page at `path` of PUBLIC_URL, with `token`: what an email carries."""
    return f"{settings.public_url.rstrip('/')}{path}?token={token}"


async def consume(connection: Conn, purpose: Purpose, token: str) -> UsedToken:
    """Use the token once; an unknown, used or expired one is INVALID_TOKEN."""
    used = await one_time_tokens.consume(connection, digest(token), purpose)
    if used is None:
        raise ApiError(INVALID_TOKEN, UNUSABLE)
    return used
