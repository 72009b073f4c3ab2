"""Users: the rows, and what the API shows of them."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any, LiteralString

from control_plane.db import Conn

USER_COLUMNS = "id, email, first_name, last_name, email_verified_at, created_at, updated_at"


def public_user(row: Mapping[str, Any]) -> dict[str, Any]:
    """The API's view of a user row: never the password hash."""
    return {
        "id": row["id"],
        "email": row["email"],
        "first_name": row["first_name"],
        "last_name": row["last_name"],
        "email_verified": row["email_verified_at"] is not None,
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


async def by_email(connection: Conn, email: str) -> dict[str, Any] | None:
    cursor = await connection.execute(
        f"SELECT {USER_COLUMNS}, password_hash FROM users WHERE lower(email) = lower(%s)",
        (email,),
    )
    return await cursor.fetchone()


async def by_id(connection: Conn, user_id: uuid.UUID) -> dict[str, Any] | None:
    cursor = await connection.execute(f"SELECT {USER_COLUMNS} FROM users WHERE id = %s", (user_id,))
    return await cursor.fetchone()


async def create(
    connection: Conn, email: str, password_hash: str, first_name: str, last_name: str
) -> dict[str, Any] | None:
    """The new user, or None when the email is taken (even by a concurrent request)."""
    cursor = await connection.execute(
        f"""
        INSERT INTO users (email, password_hash, first_name, last_name)
        VALUES (%s, %s, %s, %s)
        ON CONFLICT DO NOTHING
        RETURNING {USER_COLUMNS}
        """,
        (email, password_hash, first_name, last_name),
    )
    return await cursor.fetchone()


async def update(
    connection: Conn, user_id: uuid.UUID, assignments: LiteralString, values: tuple[Any, ...]
) -> dict[str, Any]:
    """Apply `assignments` (SQL of the code, `%s` for each of `values`) to the user, with
    `updated_at`; return the row as it is now."""
    cursor = await connection.execute(
        f"UPDATE users SET {assignments}, updated_at = now() WHERE id = %s "
        f"RETURNING {USER_COLUMNS}",
        (*values, user_id),
    )
    row = await cursor.fetchone()
    assert row is not None  # callers hold a proof the user exists: a token or a session
    return row
