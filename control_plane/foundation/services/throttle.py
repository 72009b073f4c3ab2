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
from control_plane.foundation.queries import login_failures


def _account(email: str) -> str:
    return f"account:{email.lower()}"


async def reserve(connection: Conn, settings: Settings, email: str, address: str) -> int:
    """Take a slot for one login, or raise 429 when either limit is reached; returns
    the id of the address's row, for `succeeded`."""
    window = timedelta(minutes=settings.login_failure_window_minutes)
    address_key = f"address:{address}"
    slots = await login_failures.reserve(
        connection,
        _account(email),
        address_key,
        window,
        settings.login_failures_per_account,
        settings.login_failures_per_address,
    )
    if not slots:
        retry = str(int(window.total_seconds()))
        raise ApiError(TOO_MANY_ATTEMPTS, headers={"Retry-After": retry})
    (address_slot,) = [slot.id for slot in slots if slot.key == address_key]
    return address_slot


async def succeeded(connection: Conn, email: str, address_slot: int) -> None:
    """The password was right: the account's failures are forgiven, and the address
    gets back the slot this login held."""
    await login_failures.forgive(connection, _account(email), address_slot)
