"""Sessions and their token pairs: a login opens a session; each refresh token is good
for one rotation; a refresh token used twice means it was stolen, so the whole session
is revoked (the thief and the owner both have to log in again)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from control_plane.config import Settings
from control_plane.db import Conn
from control_plane.errors import NOT_AUTHENTICATED, ApiError
from control_plane.security.tokens import decode, issue

_REFUSED = ApiError(NOT_AUTHENTICATED, {"refresh": "Invalid, expired or already used token."})

_CLAIM = """
UPDATE refresh_tokens AS r SET used_at = now()
FROM sessions AS s
WHERE r.jti = %s AND r.session_id = s.id AND s.revoked_at IS NULL AND r.used_at IS NULL
  AND r.expires_at > now()
RETURNING s.id, s.user_id
"""


async def _pair(
    connection: Conn, settings: Settings, user_id: uuid.UUID, session_id: uuid.UUID
) -> dict[str, Any]:
    secret = settings.jwt_secret.get_secret_value()
    access_lifetime = timedelta(minutes=settings.access_token_minutes)
    access, _ = issue(secret, "access", user_id, session_id, access_lifetime)
    refresh, claims = issue(
        secret, "refresh", user_id, session_id, timedelta(days=settings.refresh_token_days)
    )
    await connection.execute(
        "INSERT INTO refresh_tokens (jti, session_id, expires_at) VALUES (%s, %s, %s)",
        (claims.token_id, session_id, claims.expires_at),
    )
    return {
        "access": access,
        "refresh": refresh,
        "token_type": "Bearer",
        "expires_in": int(access_lifetime.total_seconds()),
    }


async def open_session(
    connection: Conn, settings: Settings, user_id: uuid.UUID
) -> tuple[uuid.UUID, dict[str, Any]]:
    """A new session for the user, and its first token pair."""
    cursor = await connection.execute(
        "INSERT INTO sessions (user_id) VALUES (%s) RETURNING id", (user_id,)
    )
    row = await cursor.fetchone()
    assert row is not None
    return row["id"], await _pair(connection, settings, user_id, row["id"])


async def rotate(
    connection: Conn, settings: Settings, refresh_token: str
) -> tuple[uuid.UUID, dict[str, Any]]:
    """Trade a refresh token for a new pair of the same session; (user id, pair)."""
    claims = decode(settings.jwt_secret.get_secret_value(), "refresh", refresh_token)
    if claims is None:
        raise _REFUSED
    async with connection.transaction():
        cursor = await connection.execute(_CLAIM, (claims.token_id,))
        claimed = await cursor.fetchone()
        if claimed is not None:
            return claimed["user_id"], await _pair(
                connection, settings, claimed["user_id"], claimed["id"]
            )
    # Signed by us but not claimable: reused (or its session is over). Revoke the session.
    await revoke(connection, claims.session_id)
    raise _REFUSED


async def revoke(connection: Conn, session_id: uuid.UUID) -> None:
    await connection.execute(
        "UPDATE sessions SET revoked_at = now() WHERE id = %s AND revoked_at IS NULL",
        (session_id,),
    )


async def revoke_all(connection: Conn, user_id: uuid.UUID) -> None:
    await connection.execute(
        "UPDATE sessions SET revoked_at = now() WHERE user_id = %s AND revoked_at IS NULL",
        (user_id,),
    )
