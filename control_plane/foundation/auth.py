"""`/auth/`: register, verify the email, log in, refresh, log out, reset the password.

The anonymous endpoints answer the same whether or not an account exists for the email,
and take as long (a password is hashed or verified either way): their answers never tell
who has an account. What differs goes by email, to the address's owner.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, status

from control_plane.db import Connection
from control_plane.errors import INVALID_CREDENTIALS, ApiError
from control_plane.foundation import account_mail, accounts, one_time, sessions, throttle
from control_plane.foundation.audit import record, record_account
from control_plane.foundation.deps import AppSettings, CurrentUser
from control_plane.foundation.one_time import Purpose
from control_plane.foundation.schemas import (
    Accepted,
    EmailRequest,
    LoginRequest,
    PasswordResetConfirm,
    RefreshRequest,
    RegisterRequest,
    TokenPair,
    TokenRequest,
    Tokens,
    UserPublic,
)
from control_plane.mail import send_later
from control_plane.security.passwords import hash_password, verify_password

router = APIRouter(prefix="/auth", tags=["auth"])

_CHECK_INBOX = "If the address can be used, a message is on its way to it."


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.post("/register/client/", status_code=status.HTTP_201_CREATED)
async def register(
    body: RegisterRequest, request: Request, connection: Connection, settings: AppSettings
) -> Accepted:
    """Create an account; a message asks to confirm the address."""
    password_hash = await hash_password(body.password)
    async with connection.transaction():
        user = await accounts.create(
            connection, body.email, password_hash, body.first_name, body.last_name
        )
        if user is None:
            await send_later(
                connection,
                body.email,
                "Someone tried to register with your address",
                "An account already exists for this address. If it was you, log in or reset "
                f"your password: {settings.public_url.rstrip('/')}/reset-password\n",
            )
        else:
            await record_account(connection, request, user["id"], "user.register")
            await account_mail.send_verification(connection, settings, user)
    return Accepted(email=body.email, detail=_CHECK_INBOX)


@router.post("/verify-email/")
async def verify_email(body: TokenRequest, request: Request, connection: Connection) -> UserPublic:
    """Confirm the address with the token of the message sent at registration."""
    async with connection.transaction():
        used = await one_time.consume(connection, Purpose.VERIFY_EMAIL, body.token)
        user = await accounts.update(
            connection,
            used["user_id"],
            "email_verified_at = coalesce(email_verified_at, now())",
            (),
        )
        await record_account(connection, request, user["id"], "user.verify_email")
    return UserPublic(**accounts.public_user(user))


@router.post("/verify-email/resend/", status_code=status.HTTP_202_ACCEPTED)
async def resend_verification(body: EmailRequest, connection: Connection) -> Accepted:
    await account_mail.request(connection, Purpose.VERIFY_EMAIL, body.email)
    return Accepted(email=body.email, detail=_CHECK_INBOX)


@router.post("/login/")
async def login(
    body: LoginRequest, request: Request, connection: Connection, settings: AppSettings
) -> Tokens:
    """Trade an email and password for an access token and a refresh token."""
    address = _address(request)
    await throttle.check(connection, settings, body.email, address)
    user = await accounts.by_email(connection, body.email)
    if not await verify_password(user["password_hash"] if user else None, body.password):
        await throttle.failed(connection, body.email, address)
        raise ApiError(INVALID_CREDENTIALS)
    assert user is not None
    async with connection.transaction():
        await throttle.succeeded(connection, body.email)
        session_id, pair = await sessions.open_session(connection, settings, user["id"])
        await record(
            connection,
            request,
            actor_id=user["id"],
            organization_id=None,
            action="session.login",
            object_type="session",
            object_id=session_id,
        )
    return Tokens(**pair, user=UserPublic(**accounts.public_user(user)))


@router.post("/refresh/")
async def refresh(body: RefreshRequest, connection: Connection, settings: AppSettings) -> TokenPair:
    """A new token pair for a refresh token, which is then used up."""
    _, pair = await sessions.rotate(connection, settings, body.refresh)
    return TokenPair(**pair)


@router.post("/logout/", status_code=status.HTTP_204_NO_CONTENT)
async def logout(user: CurrentUser, request: Request, connection: Connection) -> None:
    """End the session: its access and refresh tokens stop working."""
    async with connection.transaction():
        await sessions.revoke(connection, user.session_id)
        await record(
            connection,
            request,
            actor_id=user.id,
            organization_id=None,
            action="session.logout",
            object_type="session",
            object_id=user.session_id,
        )


@router.post("/password-reset/", status_code=status.HTTP_202_ACCEPTED)
async def request_password_reset(body: EmailRequest, connection: Connection) -> Accepted:
    """Email a single-use link to choose a new password."""
    await account_mail.request(connection, Purpose.RESET_PASSWORD, body.email)
    return Accepted(email=body.email, detail=_CHECK_INBOX)


@router.post("/password-reset/confirm/")
async def confirm_password_reset(
    body: PasswordResetConfirm, request: Request, connection: Connection
) -> UserPublic:
    """Set the new password; every session of the account is logged out."""
    password_hash = await hash_password(body.password)
    async with connection.transaction():
        used = await one_time.consume(connection, Purpose.RESET_PASSWORD, body.token)
        user = await accounts.update(
            connection,
            used["user_id"],
            "password_hash = %s, email_verified_at = coalesce(email_verified_at, now())",
            (password_hash,),
        )
        await sessions.revoke_all(connection, user["id"])
        await record_account(connection, request, user["id"], "user.reset_password")
    return UserPublic(**accounts.public_user(user))
