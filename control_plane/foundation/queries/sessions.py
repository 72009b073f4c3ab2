"""SQL of the `sessions` and `refresh_tokens` tables."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from control_plane.db import Conn, fetch_one, fetch_value
from control_plane.foundation.queries.users import User


@dataclass(frozen=True)
class SessionUser(User):
    """The user of an open session: who a request's access token speaks for."""

    session_id: uuid.UUID


@dataclass(frozen=True)
class ClaimedSession:
    id: uuid.UUID
    user_id: uuid.UUID


USER_OF_SESSION = """
SELECT u.id, u.email, u.first_name, u.last_name, u.email_verified_at, u.created_at,
       u.updated_at, s.id AS session_id
FROM sessions AS s JOIN users AS u ON u.id = s.user_id
WHERE s.id = %(session)s AND u.id = %(user)s AND s.revoked_at IS NULL
"""

INSERT_SESSION = "INSERT INTO sessions (user_id) VALUES (%(user)s) RETURNING id"

INSERT_REFRESH_TOKEN = """
INSERT INTO refresh_tokens (jti, session_id, expires_at)
VALUES (%(jti)s, %(session)s, %(expires_at)s)
"""

# Use the refresh token up, if it is still good and its session open.
CLAIM_REFRESH_TOKEN = """
UPDATE refresh_tokens AS r SET used_at = now()
FROM sessions AS s
WHERE r.jti = %(jti)s AND r.session_id = s.id AND s.revoked_at IS NULL AND r.used_at IS NULL
  AND r.expires_at > now()
RETURNING s.id, s.user_id
"""

REVOKE = "UPDATE sessions SET revoked_at = now() WHERE id = %(session)s AND revoked_at IS NULL"

REVOKE_ALL_OF_USER = """
UPDATE sessions SET revoked_at = now() WHERE user_id = %(user)s AND revoked_at IS NULL
"""


async def user_of_session(
    connection: Conn, session_id: uuid.UUID, user_id: uuid.UUID
) -> SessionUser | None:
    """None when the session is over (logged out) or the user is gone."""
    values = {"session": session_id, "user": user_id}
    return await fetch_one(connection, SessionUser, USER_OF_SESSION, values)


async def insert_session(connection: Conn, user_id: uuid.UUID) -> uuid.UUID:
    session_id = await fetch_value(connection, uuid.UUID, INSERT_SESSION, {"user": user_id})
    assert session_id is not None
    return session_id


async def insert_refresh_token(
    connection: Conn, token_id: uuid.UUID, session_id: uuid.UUID, expires_at: datetime
) -> None:
    values = {"jti": token_id, "session": session_id, "expires_at": expires_at}
    await connection.execute(INSERT_REFRESH_TOKEN, values)


async def claim_refresh_token(connection: Conn, token_id: uuid.UUID) -> ClaimedSession | None:
    return await fetch_one(connection, ClaimedSession, CLAIM_REFRESH_TOKEN, {"jti": token_id})


async def revoke(connection: Conn, session_id: uuid.UUID) -> None:
    await connection.execute(REVOKE, {"session": session_id})


async def revoke_all_of_user(connection: Conn, user_id: uuid.UUID) -> None:
    await connection.execute(REVOKE_ALL_OF_USER, {"user": user_id})
