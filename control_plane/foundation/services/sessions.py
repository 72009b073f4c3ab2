"""Sessions and their token pairs: a login opens a session; each refresh token is good
for one rotation; a refresh token used twice means it was stolen, so the whole session
is revoked (the thief and the owner both have to log in again).

A wrong password and an unknown email get the same 401 and take as long (the unknown one
is verified against a fixed hash)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from control_plane.config import Settings
from control_plane.db import Conn
from control_plane.errors import INVALID_CREDENTIALS, NOT_AUTHENTICATED, ApiError
from control_plane.foundation.models import TokenPair
from control_plane.foundation.queries import sessions, users
from control_plane.foundation.queries.users import User
from control_plane.foundation.services import throttle
from control_plane.foundation.services.audit import RequestOrigin, record
from control_plane.security.passwords import verify_password
from control_plane.security.tokens import decode, issue

_REFUSED = ApiError(NOT_AUTHENTICATED, {"refresh": "Invalid, expired or already used token."})


async def _pair(
    connection: Conn, settings: Settings, user_id: uuid.UUID, session_id: uuid.UUID
) -> TokenPair:
    secret = settings.jwt_secret.get_secret_value()
    access_lifetime = timedelta(minutes=settings.access_token_minutes)
    access, _ = issue(secret, "access", user_id, session_id, access_lifetime)
    refresh, claims = issue(
        secret, "refresh", user_id, session_id, timedelta(days=settings.refresh_token_days)
    )
    await sessions.insert_refresh_token(connection, claims.token_id, session_id, claims.expires_at)
    return TokenPair(
        access=access,
        refresh=refresh,
        token_type="Bearer",
        expires_in=int(access_lifetime.total_seconds()),
    )


async def login(
    connection: Conn, settings: Settings, origin: RequestOrigin, email: str, password: str
) -> tuple[TokenPair, User]:
    """Open a session for the email and password: its first token pair, and its user."""
    slot = await throttle.reserve(connection, settings, email, origin.address or "unknown")
    user = await users.by_email(connection, email)
    if not await verify_password(user.password_hash if user else None, password):
        raise ApiError(INVALID_CREDENTIALS)  # the slot stays taken: it is a failure
    assert user is not None
    async with connection.transaction():
        await throttle.succeeded(connection, email, slot)
        session_id = await sessions.insert_session(connection, user.id)
        pair = await _pair(connection, settings, user.id, session_id)
        await record(
            connection,
            origin,
            actor_id=user.id,
            organization_id=None,
            action="session.login",
            object_type="session",
            object_id=session_id,
        )
    return pair, user


async def rotate(connection: Conn, settings: Settings, refresh_token: str) -> TokenPair:
    """Trade a refresh token for a new pair of the same session."""
    claims = decode(settings.jwt_secret.get_secret_value(), "refresh", refresh_token)
    if claims is None:
        raise _REFUSED
    async with connection.transaction():
        claimed = await sessions.claim_refresh_token(connection, claims.token_id)
        if claimed is not None:
            return await _pair(connection, settings, claimed.user_id, claimed.id)
    # Signed by us but not claimable: reused (or its session is over). Revoke the session.
    await sessions.revoke(connection, claims.session_id)
    raise _REFUSED


async def logout(
    connection: Conn, origin: RequestOrigin, user_id: uuid.UUID, session_id: uuid.UUID
) -> None:
    """End the session: its access and refresh tokens stop working."""
    async with connection.transaction():
        await sessions.revoke(connection, session_id)
        await record(
            connection,
            origin,
            actor_id=user_id,
            organization_id=None,
            action="session.logout",
            object_type="session",
            object_id=session_id,
        )
