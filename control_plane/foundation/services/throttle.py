"""Login throttling: after too many failures in a window, for one account or from one
address, logins are refused (429) until the window has moved on. Failures are rows in
PostgreSQL, so every instance of the service counts the same ones."""

from __future__ import annotations

from datetime import timedelta

from control_plane.config import Settings
from control_plane.db import Conn
from control_plane.errors import TOO_MANY_ATTEMPTS, ApiError

_COUNT = """
SELECT count(*) FILTER (WHERE key = %(account)s) AS account,
       count(*) FILTER (WHERE key = %(address)s) AS address
FROM login_failures
WHERE key IN (%(account)s, %(address)s) AND failed_at > now() - %(window)s
"""


def _keys(email: str, address: str) -> dict[str, str]:
    return {"account": f"account:{email.lower()}", "address": f"address:{address}"}


async def check(connection: Conn, settings: Settings, email: str, address: str) -> None:
    window = timedelta(minutes=settings.login_failure_window_minutes)
    cursor = await connection.execute(_COUNT, {**_keys(email, address), "window": window})
    counts = await cursor.fetchone()
    assert counts is not None
    if (
        counts["account"] >= settings.login_failures_per_account
        or counts["address"] >= settings.login_failures_per_address
    ):
        retry = str(int(window.total_seconds()))
        raise ApiError(TOO_MANY_ATTEMPTS, headers={"Retry-After": retry})


async def failed(connection: Conn, email: str, address: str) -> None:
    keys = _keys(email, address)
    await connection.execute(
        "INSERT INTO login_failures (key) VALUES (%s), (%s)", (keys["account"], keys["address"])
    )


async def succeeded(connection: Conn, email: str) -> None:
    await connection.execute(
        "DELETE FROM login_failures WHERE key = %s", (_keys(email, "")["account"],)
    )
