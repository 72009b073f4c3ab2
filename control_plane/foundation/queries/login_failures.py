"""SQL of the `login_failures` table: one row per failed (or in-flight) login, per key.

A key is an account (`account:<email>`) or an address (`address:<ip>`). Reserving takes
per-key advisory locks first, so that the count and the insert of one login are never
interleaved with another's (see services/throttle.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from control_plane.db import Conn, fetch_all

# Two-key advisory locks: a key space apart from the single-key locks of migrations and
# jobs. Accounts and addresses each have a class, always locked in this order, so two
# logins never wait for each other crosswise.
_ACCOUNT_LOCKS = 7_112_101
_ADDRESS_LOCKS = 7_112_102


@dataclass(frozen=True)
class Slot:
    id: int
    key: str


LOCK_KEYS = """
SELECT pg_advisory_xact_lock(%(account_locks)s, hashtext(%(account)s)),
       pg_advisory_xact_lock(%(address_locks)s, hashtext(%(address)s))
"""

RESERVE = """
INSERT INTO login_failures (key)
SELECT key FROM unnest(ARRAY[%(account)s, %(address)s]) AS key
WHERE (SELECT count(*) FROM login_failures
       WHERE key = %(account)s AND failed_at > now() - %(window)s) < %(per_account)s
  AND (SELECT count(*) FROM login_failures
       WHERE key = %(address)s AND failed_at > now() - %(window)s) < %(per_address)s
RETURNING id, key
"""

FORGIVE = "DELETE FROM login_failures WHERE key = %(account)s OR id = %(address_slot)s"


async def reserve(
    connection: Conn,
    account: str,
    address: str,
    window: timedelta,
    per_account: int,
    per_address: int,
) -> list[Slot]:
    """A slot for each key, or none when either key is at its limit (one transaction)."""
    keys = {"account": account, "address": address}
    async with connection.transaction():
        locks = {"account_locks": _ACCOUNT_LOCKS, "address_locks": _ADDRESS_LOCKS}
        await connection.execute(LOCK_KEYS, {**keys, **locks})
        limits = {"window": window, "per_account": per_account, "per_address": per_address}
        return await fetch_all(connection, Slot, RESERVE, {**keys, **limits})


async def forgive(connection: Conn, account: str, address_slot: int) -> None:
    """Delete the account's failures and the address slot a successful login held."""
    await connection.execute(FORGIVE, {"account": account, "address_slot": address_slot})
