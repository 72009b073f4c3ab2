"""Password hashing with argon2id (argon2-cffi's defaults: RFC 9106's low-memory profile).

Hashing costs a good part of a core for a good part of a second on purpose. It runs on
a pool of one thread per core, off the event loop: more at once would only make every
login slower (and each one holds 64 MiB), where a queue keeps them first come, first
served. A login for an unknown email still verifies against a fixed hash, so that the
answer takes as long as for a known one.
"""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
_UNKNOWN_USER_HASH = _hasher.hash("an unknown user's password is never this")
_pool = ThreadPoolExecutor(max_workers=os.cpu_count() or 1, thread_name_prefix="argon2")


async def hash_password(password: str) -> str:
    return await asyncio.get_running_loop().run_in_executor(_pool, _hasher.hash, password)


def _matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


async def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether `password` matches; None (no such user) takes as long and is False."""
    matches = await asyncio.get_running_loop().run_in_executor(
        _pool, _matches, password_hash or _UNKNOWN_USER_HASH, password
    )
    return matches and password_hash is not None
