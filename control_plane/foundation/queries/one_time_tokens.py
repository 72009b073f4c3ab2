"""SQL of the `one_time_tokens` table: the tokens of emailed links, by their SHA-256."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from control_plane.db import Conn, fetch_one


@dataclass(frozen=True)
class IssuedToken:
    id: uuid.UUID
    organization_id: uuid.UUID | None
    email: str | None
    role: str | None
    expires_at: datetime
    created_at: datetime


@dataclass(frozen=True)
class UsedToken:
    id: uuid.UUID
    user_id: uuid.UUID | None
    organization_id: uuid.UUID | None
    email: str | None
    role: str | None


INSERT = """
INSERT INTO one_time_tokens (token_hash, purpose, user_id, organization_id, email, role,
                             expires_at)
VALUES (%(token_hash)s, %(purpose)s, %(user)s, %(organization)s, %(email)s, %(role)s,
        now() + %(lifetime)s)
RETURNING id, organization_id, email, role, expires_at, created_at
"""

CONSUME = """
UPDATE one_time_tokens SET used_at = now()
WHERE token_hash = %(token_hash)s AND purpose = %(purpose)s AND used_at IS NULL
  AND expires_at > now()
RETURNING id, user_id, organization_id, email, role
"""


async def insert(
    connection: Conn,
    token_hash: bytes,
    purpose: str,
    lifetime: timedelta,
    *,
    user_id: uuid.UUID | None,
    organization_id: uuid.UUID | None,
    email: str | None,
    role: str | None,
) -> IssuedToken:
    values = {
        "token_hash": token_hash,
        "purpose": purpose,
        "user": user_id,
        "organization": organization_id,
        "email": email,
        "role": role,
        "lifetime": lifetime,
    }
    issued = await fetch_one(connection, IssuedToken, INSERT, values)
    assert issued is not None
    return issued


async def consume(connection: Conn, token_hash: bytes, purpose: str) -> UsedToken | None:
    """Mark the token used; None if it is unknown, used already or expired."""
    values = {"token_hash": token_hash, "purpose": purpose}
    return await fetch_one(connection, UsedToken, CONSUME, values)
