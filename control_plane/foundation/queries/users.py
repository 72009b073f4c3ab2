"""SQL of the `users` table."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from control_plane.db import Conn, fetch_one, fetch_value


@dataclass(frozen=True)
class User:
    id: uuid.UUID
    email: str
    first_name: str
    last_name: str
    email_verified_at: datetime | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class UserWithPassword(User):
    password_hash: str


BY_EMAIL = """
SELECT id, email, first_name, last_name, email_verified_at, created_at, updated_at,
       password_hash
FROM users WHERE lower(email) = lower(%(email)s)
"""

EMAIL_OF = "SELECT email FROM users WHERE id = %(user)s"

INSERT = """
INSERT INTO users (email, password_hash, first_name, last_name)
VALUES (%(email)s, %(password_hash)s, %(first_name)s, %(last_name)s)
ON CONFLICT DO NOTHING
RETURNING id, email, first_name, last_name, email_verified_at, created_at, updated_at
"""

MARK_VERIFIED = """
UPDATE users SET email_verified_at = coalesce(email_verified_at, now()), updated_at = now()
WHERE id = %(id)s
RETURNING id, email, first_name, last_name, email_verified_at, created_at, updated_at
"""

# Following the emailed link proves the address too.
SET_PASSWORD = """
UPDATE users SET password_hash = %(password_hash)s,
       email_verified_at = coalesce(email_verified_at, now()), updated_at = now()
WHERE id = %(id)s
RETURNING id, email, first_name, last_name, email_verified_at, created_at, updated_at
"""

SET_NAMES = """
UPDATE users SET first_name = %(first_name)s, last_name = %(last_name)s, updated_at = now()
WHERE id = %(id)s
RETURNING id, email, first_name, last_name, email_verified_at, created_at, updated_at
"""


async def by_email(connection: Conn, email: str) -> UserWithPassword | None:
    return await fetch_one(connection, UserWithPassword, BY_EMAIL, {"email": email})


async def email_of(connection: Conn, user_id: uuid.UUID) -> str | None:
    return await fetch_value(connection, str, EMAIL_OF, {"user": user_id})


async def create(
    connection: Conn, email: str, password_hash: str, first_name: str, last_name: str
) -> User | None:
    """The new user, or None when the email is taken (even by a concurrent request)."""
    values = {
        "email": email,
        "password_hash": password_hash,
        "first_name": first_name,
        "last_name": last_name,
    }
    return await fetch_one(connection, User, INSERT, values)


# The updates below are called with a proof that the user exists (a token or a session).


async def mark_verified(connection: Conn, user_id: uuid.UUID) -> User:
    user = await fetch_one(connection, User, MARK_VERIFIED, {"id": user_id})
    assert user is not None
    return user


async def set_password(connection: Conn, user_id: uuid.UUID, password_hash: str) -> User:
    values = {"id": user_id, "password_hash": password_hash}
    user = await fetch_one(connection, User, SET_PASSWORD, values)
    assert user is not None
    return user


async def set_names(connection: Conn, user_id: uuid.UUID, first_name: str, last_name: str) -> User:
    values = {"id": user_id, "first_name": first_name, "last_name": last_name}
    user = await fetch_one(connection, User, SET_NAMES, values)
    assert user is not None
    return user
