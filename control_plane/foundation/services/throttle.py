"""Login throttling: after too many failures in a window, for one account or from one
address, logins are refused (429) until the window has moved on. Failures are rows in
PostgreSQL, so every instance of the service counts the same ones.

Check and count are one step: a login first reserves a slot, a failure row per key,
inserted only while both counts are under their limits, and then has its password
checked. A wrong password leaves the rows as its failures; a right one deletes them.
So however many logins arrive at once, at most the limit is ever checked: logins for
the same keys take turns on transaction-scoped advisory locks, and each one counts
after the previous one's rows are committed (READ COMMITTED takes a fresh snapshot per
statement, after the lock is granted).
"""

from __future__ import annotations

from datetime import timedelta

from control_plane.config import Settings
from control_plane.db import Conn
from control_plane.errors import TOO_MANY_ATTEMPTS, ApiError

# Two-key advisory locks: a key space apart from the single-key locks of migrations and
# jobs. Accounts and addresses each have a class, always locked in this order, so two
# logins never wait for each other crosswise.
_ACCOUNT_LOCKS = 7_112_101
_ADDRESS_LOCKS = 7_112_102

_LOCK_KEYS = """
SELECT pg_advisory_xact_lock(%(account_locks)s, hashtext(%(account)s)),
       pg_advisory_xact_lock(%(address_locks)s, hashtext(%(address)s))
"""

_RESERVE = """
INSERT INTO login_failures (key)
SELECT key FROM unnest(ARRAY[%(account)s, %(address)s]) AS key
WHERE (SELECT count(*) FROM login_failures
       WHERE key = %(account)s AND failed_at > now() - %(window)s) < %(per_account)s
  AND (SELECT count(*) FROM login_failures
       WHERE key = %(address)s AND failed_at > now() - %(window)s) < %(per_address)s
RETURNING id, key
"""


def _keys(email: str, address: str) -> dict[str, str]:
    return {"account": f"account:{email.lower()}", "address": f"address:{address}"}


async def reserve(connection: Conn, settings: Settings, email: str, address: str) -> int:
    """Take a slot for one login, or raise 429 when either limit is reached; returns
    the id of the address's row, for `succeeded`."""
    window = timedelta(minutes=settings.login_failure_window_minutes)
    keys = _keys(email, address)
    async with connection.transaction():
        await connection.execute(
            _LOCK_KEYS,
            {**keys, "account_locks": _ACCOUNT_LOCKS, "address_locks": _ADDRESS_LOCKS},
        )
        cursor = await connection.execute(
            _RESERVE,
            {
                **keys,
                "window": window,
                "per_account": settings.login_failures_per_account,
                "per_address": settings.login_failures_per_address,
            },
        )
        reserved = {row["key"]: row["id"] for row in await cursor.fetchall()}
    if not reserved:
        retry = str(int(window.total_seconds()))
        raise ApiError(TOO_MANY_ATTEMPTS, headers={"Retry-After": retry})
    return int(reserved[keys["address"]])


async def succeeded(connection: Conn, email: str, address_slot: int) -> None:
    """The password was right: the account's failures are forgiven, and the address
    gets back the slot this login held."""
    await connection.execute(
        "DELETE FROM login_failures WHERE key = %s OR id = %s",
        (_keys(email, "")["account"], address_slot),
    )
