"""Secrets at rest (SSH keys, app token keys, integration credentials): encrypted with
Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`) under one key from the environment
(NOCODE_SECRET_KEY; `nocode serve` makes one into its data folder's .env)."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken

from platform_support.errors import UserError

KEY_VARIABLE = "NOCODE_SECRET_KEY"


class VaultError(UserError):
    """The key is malformed, or a stored secret was encrypted under another key."""

    code = "SECRET_KEY_INVALID"


def new_key() -> str:
    return Fernet.generate_key().decode()


class Vault:
    def __init__(self, key: str) -> None:
        try:
            self._fernet = Fernet(key.encode())
        except ValueError:
            raise VaultError(
                f"{KEY_VARIABLE}: not a Fernet key (32 url-safe base64 bytes)"
            ) from None

    def encrypt(self, secret: str) -> bytes:
        return self._fernet.encrypt(secret.encode())

    def decrypt(self, stored: bytes) -> str:
        try:
            return self._fernet.decrypt(stored).decode()
        except InvalidToken:
            raise VaultError(
                f"a stored secret cannot be read with this {KEY_VARIABLE} (was it changed?)"
            ) from None
