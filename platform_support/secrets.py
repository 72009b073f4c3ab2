"""A data folder's `.env` file, and the secrets kept in it (mode 0600): the JWT secret and
the key that encrypts secrets at rest (platform_support.vault)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path

ENV_FILE = ".env"


def read_env_file(folder: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    path = folder / ENV_FILE
    if not path.exists():
        return values
    for line in path.read_text(encoding="utf-8").splitlines():
        key, sep, value = line.partition("=")
        if sep and not key.strip().startswith("#"):
            values[key.strip()] = _unquoted(value.strip())
    return values


def _unquoted(value: str) -> str:
    """A value as python-dotenv reads it: without its enclosing quotes."""
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def ensure_secret(
    folder: Path,
    name: str = "JWT_SECRET",
    make: Callable[[], str] = lambda: secrets.token_urlsafe(48),
) -> str:
    """The secret `name`: from the environment, the folder's .env, or made once into it."""
    secret = os.environ.get(name) or read_env_file(folder).get(name)
    if secret:
        return secret
    secret = make()
    path = folder / ENV_FILE
    with path.open("a", encoding="utf-8") as env_file:
        env_file.write(f"{name}={secret}\n")
    path.chmod(0o600)
    return secret
