"""Accounts: register, verify the email, reset the password, edit the profile.

The anonymous flows answer the same whether or not an account exists for the email, and
take as long (a password is hashed either way; verification and reset are a queued job
either way): what differs goes by email, to the address's owner. Every mail goes through
the outbox (control_plane.mail), in the transaction of the write it belongs to.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from control_plane.config import Settings
from control_plane.db import Conn
from control_plane.foundation.queries import sessions, users
from control_plane.foundation.queries.users import User
from control_plane.foundation.services import one_time_tokens
from control_plane.foundation.services.audit import RequestOrigin, record_account
from control_plane.foundation.services.one_time_tokens import Purpose, link
from control_plane.mail import send_later
from control_plane.security.passwords import hash_password


@dataclass(frozen=True)
class _LinkMail:
    """A mail that carries an account's single-use link: `{link}` and `{token}` are
    filled in when it is sent."""

    purpose: Purpose
    subject: str
    page: str  # of PUBLIC_URL, where the link leads
    text: str


_VERIFICATION = _LinkMail(
    Purpose.VERIFY_EMAIL,
    "Confirm your email address",
    "/verify-email",
    "Confirm your address for nocode by opening this link:\n\n{link}\n\n"
    "or by posting the token to /api/v1/foundation/auth/verify-email/: {token}\n",
)
_PASSWORD_RESET = _LinkMail(
    Purpose.RESET_PASSWORD,
    "Reset your password",
    "/reset-password",
    "Choose a new nocode password with this link:\n\n{link}\n\n"
    "or by posting the token with the new password to "
    "/api/v1/foundation/auth/password-reset/confirm/: {token}\n\n"
    "If you did not ask for this, ignore this message.\n",
)


async def _send_link(connection: Conn, settings: Settings, user: User, mail: _LinkMail) -> None:
    token, _ = await one_time_tokens.create(connection, settings, mail.purpose, user_id=user.id)
    text = mail.text.format(link=link(settings, mail.page, token), token=token)
    await send_later(connection, user.email, mail.subject, text)


async def register(
    connection: Conn,
    settings: Settings,
    origin: RequestOrigin,
    *,
    email: str,
    password: str,
    first_name: str,
    last_name: str,
) -> None:
    """Create an account; a message asks to confirm the address (or, when the address
    has an account already, tells its owner)."""
    password_hash = await hash_password(password)
    async with connection.transaction():
        user = await users.create(connection, email, password_hash, first_name, last_name)
        if user is None:
            await send_later(
                connection,
                email,
                "Someone tried to register with your address",
                "An account already exists for this address. If it was you, log in or reset "
                f"your password: {settings.public_url.rstrip('/')}/reset-password\n",
            )
        else:
            await record_account(connection, origin, user.id, "user.register")
            await _send_link(connection, settings, user, _VERIFICATION)


async def verify_email(connection: Conn, origin: RequestOrigin, token: str) -> User:
    """Confirm the address with the token of the message sent at registration."""
    async with connection.transaction():
        used = await one_time_tokens.consume(connection, Purpose.VERIFY_EMAIL, token)
        assert used.user_id is not None  # verification tokens are a user's
        user = await users.mark_verified(connection, used.user_id)
        await record_account(connection, origin, user.id, "user.verify_email")
    return user


async def send_account_mail(
    connection: Conn, settings: Settings, purpose: Purpose, email: str
) -> None:
    """The mail of `purpose` (verification or reset) to the account of `email`, when there
    is one to write to. Run by a job: the anonymous endpoints only queue it, the same
    single write whether or not the account exists, so neither answer nor time tells."""
    async with connection.transaction():
        user = await users.by_email(connection, email)
        if user is None:
            return
        if purpose is Purpose.RESET_PASSWORD:
            await _send_link(connection, settings, user, _PASSWORD_RESET)
        elif user.email_verified_at is None:
            await _send_link(connection, settings, user, _VERIFICATION)


async def confirm_password_reset(
    connection: Conn, origin: RequestOrigin, token: str, password: str
) -> User:
    """Set the new password; every session of the account is logged out."""
    password_hash = await hash_password(password)
    async with connection.transaction():
        used = await one_time_tokens.consume(connection, Purpose.RESET_PASSWORD, token)
        assert used.user_id is not None  # reset tokens are a user's
        user = await users.set_password(connection, used.user_id, password_hash)
        await sessions.revoke_all_of_user(connection, user.id)
        await record_account(connection, origin, user.id, "user.reset_password")
    return user


async def update_profile(
    connection: Conn, origin: RequestOrigin, user_id: uuid.UUID, first_name: str, last_name: str
) -> User:
    async with connection.transaction():
        user = await users.set_names(connection, user_id, first_name, last_name)
        await record_account(
            connection,
            origin,
            user_id,
            "user.update_profile",
            details={"fields": ["first_name", "last_name"]},
        )
    return user
