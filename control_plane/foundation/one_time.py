"""One-time tokens for the links sent by email: email verification, password reset and
invitations. Only the SHA-256 of a token is stored; a token is used at most once and
expires (the settings' `EMAIL_TOKEN_HOURS`)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from enum import StrEnum
from typing import Any

from control_plane.config import Settings
from control_plane.db import Conn
from control_plane.errors import INVALID_TOKEN, ApiError
from control_plane.security.tokens import digest, one_time_secret


class Purpose(StrEnum):
    VERIFY_EMAIL = "verify_email"
    RESET_PASSWORD = "reset_password"
    INVITATION = "invitation"


_INSERT = """
INSERT INTO one_time_tokens (token_hash, purpose, user_id, organization_id, email, role,
                             expires_at)
VALUES (%s, %s, %s, %s, %s, %s, now() + %s)
RETURNING id, organization_id, email, role, expires_at, created_at
"""

_CONSUME = """
UPDATE one_time_tokens SET used_at = now()
WHERE token_hash = %s AND purpose = %s AND used_at IS NULL AND expires_at > now()
RETURNING id, user_id, organization_id, email, role
"""
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
) -> tuple[str, dict[str, Any]]:
    """A new token (to send, never stored) and its row."""
    token, token_hash = one_time_secret()
    lifetime = timedelta(hours=settings.email_token_hours)
    cursor = await connection.execute(
        _INSERT, (token_hash, purpose, user_id, organization_id, email, role, lifetime)
    )
    row = await cursor.fetchone()
    assert row is not None
    return token, row


def link(settings: Settings, path: str, token: str) -> str:
    """The web page at `path` of PUBLIC_URL, with `token`: what an email carries."""
    return f"{settings.public_url.rstrip('/')}{path}?token={token}"


async def consume(connection: Conn, purpose: Purpose, token: str) -> dict[str, Any]:
    """Use the token once; an unknown, used or expired one is INVALID_TOKEN."""
    cursor = await connection.execute(_CONSUME, (digest(token), purpose))
    row = await cursor.fetchone()
    if row is None:
        raise ApiError(INVALID_TOKEN, UNUSABLE)
    return row
