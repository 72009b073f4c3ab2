"""The mails that carry an account's links: email verification and password reset.

The anonymous endpoints that ask for them (resend a verification, reset a password) only
queue a `foundation.account_mail` job with the address: the same single write whether or
not an account has that address, so neither their answer nor their time tells. The job
looks the account up and, when there is one to write to, creates the token and queues
its mail through the outbox. Registration writes either way and calls
`send_verification` itself.
"""

from __future__ import annotations

from typing import Any

from psycopg import AsyncConnection
from psycopg.rows import dict_row

from control_plane.config import Settings, get_settings
from control_plane.db import Conn
from control_plane.foundation import accounts, one_time
from control_plane.foundation.one_time import Purpose, link
from control_plane.jobs import JobContext, enqueue, registry
from control_plane.mail import send_later


async def send_verification(connection: Conn, settings: Settings, user: dict[str, Any]) -> None:
    """Queue the link that confirms `user`'s address (inside the caller's transaction)."""
    token, _ = await one_time.create(connection, settings, Purpose.VERIFY_EMAIL, user_id=user["id"])
    await send_later(
        connection,
        user["email"],
        "Confirm your email address",
        "Confirm your address for nocode by opening this link:\n\n"
        f"{link(settings, '/verify-email', token)}\n\n"
        f"or by posting the token to /api/v1/foundation/auth/verify-email/: {token}\n",
    )


async def _send_password_reset(connection: Conn, settings: Settings, user: dict[str, Any]) -> None:
    token, _ = await one_time.create(
        connection, settings, Purpose.RESET_PASSWORD, user_id=user["id"]
    )
    await send_later(
        connection,
        user["email"],
        "Reset your password",
        "Choose a new nocode password with this link:\n\n"
        f"{link(settings, '/reset-password', token)}\n\n"
        "or by posting the token with the new password to "
        f"/api/v1/foundation/auth/password-reset/confirm/: {token}\n\n"
        "If you did not ask for this, ignore this message.\n",
    )


@registry.kind("foundation.account_mail", max_attempts=3, timeout_seconds=60)
async def account_mail(context: JobContext) -> None:
    purpose = Purpose(context.payload["purpose"])
    settings = get_settings()
    async with (
        await AsyncConnection.connect(
            settings.database_url, autocommit=True, row_factory=dict_row
        ) as connection,
        connection.transaction(),
    ):
        user = await accounts.by_email(connection, context.payload["email"])
        if user is None:
            return
        if purpose is Purpose.RESET_PASSWORD:
            await _send_password_reset(connection, settings, user)
        elif user["email_verified_at"] is None:
            await send_verification(connection, settings, user)


async def request(connection: AsyncConnection[Any], purpose: Purpose, email: str) -> None:
    """Ask for the mail of `purpose` to `email`, whether or not it has an account."""
    await enqueue(connection, account_mail, {"purpose": purpose, "email": email})
