"""Password hashing with argon2id (argon2-cffi's defaults: RFC 9106's low-memory profile).

Hashing costs tens of milliseconds of CPU on purpose, so it runs in a thread, off the
event loop. A login for an unknown email still verifies against a fixed hash, so that
the answer takes as long as for a known one.
"""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
_UNKNOWN_USER_HASH = _hasher.hash("an unknown user's password is never this")


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether `password` matches; None (no such user) takes as long and is False."""
    try:
        await asyncio.to_thread(_hasher.verify, password_hash or _UNKNOWN_USER_HASH, password)
    except (VerificationError, InvalidHashError):
        return False
    return password_hash is not None
