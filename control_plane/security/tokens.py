"""Tokens: JWT access and refresh tokens (PyJWT, HS256), and one-time secrets for the
links sent by email (only their SHA-256 is stored)."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any, Literal

import jwt

ISSUER = "nocode-control-plane"
TokenType = Literal["access", "refresh"]


@dataclass(frozen=True)
class Claims:
    user_id: uuid.UUID
    session_id: uuid.UUID
    token_id: uuid.UUID
    expires_at: datetime


def issue(
    secret: str, kind: TokenType, user_id: uuid.UUID, session_id: uuid.UUID, lifetime: timedelta
) -> tuple[str, Claims]:
    now = datetime.now(UTC)
    claims = Claims(user_id, session_id, uuid.uuid4(), now + lifetime)
    payload = {
        "iss": ISSUER,
        "type": kind,
        "sub": str(user_id),
        "sid": str(session_id),
        "jti": str(claims.token_id),
        "iat": now,
        "exp": claims.expires_at,
    }
    return jwt.encode(payload, secret, algorithm="HS256"), claims


@lru_cache(maxsize=4096)
def _verified(secret: str, kind: TokenType, token: str) -> Claims | None:
    """The claims of a token signed with `secret`, of `kind`, unexpired when first seen.

    Cached: a client sends the same access token with each request, and checking its
    signature again is most of an authenticated request's CPU. `decode` checks the
    expiry on every call, so a cached token still stops working at its `exp`."""
    try:
        payload: dict[str, Any] = jwt.decode(
            token,
            secret,
            algorithms=["HS256"],
            issuer=ISSUER,
            options={"require": ["exp", "iat", "sub", "sid", "jti", "type"]},
        )
        if payload["type"] != kind:
            return None
        return Claims(
            uuid.UUID(payload["sub"]),
            uuid.UUID(payload["sid"]),
            uuid.UUID(payload["jti"]),
            datetime.fromtimestamp(payload["exp"], UTC),
        )
    except (jwt.PyJWTError, ValueError, TypeError, KeyError):
        return None


def decode(secret: str, kind: TokenType, token: str) -> Claims | None:
    """The claims of a valid, unexpired token of `kind`; None for anything else."""
    claims = _verified(secret, kind, token)
    if claims is None or claims.expires_at <= datetime.now(UTC):
        return None
    return claims


def one_time_secret() -> tuple[str, bytes]:
    """A secret for a link (to send) and its digest (to store)."""
    token = secrets.token_urlsafe(32)
    return token, digest(token)


def digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()
