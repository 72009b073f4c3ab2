"""`/auth/`: register, verify the email, log in, refresh, log out, reset the password.

The anonymous endpoints answer the same whether or not an account exists for the email
(see services/accounts.py): their answers never tell who has an account.
"""

from __future__ import annotations

from fastapi import APIRouter, status

from control_plane.foundation import jobs
from control_plane.foundation.api.deps import AppSettings, Caller, Connection, Origin
from control_plane.foundation.models import (
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
from control_plane.foundation.services import accounts, sessions
from control_plane.foundation.services.one_time_tokens import Purpose

router = APIRouter(prefix="/auth", tags=["auth"])

_CHECK_INBOX = "If the address can be used, a message is on its way to it."


@router.post("/register/client/", status_code=status.HTTP_201_CREATED)
async def register(
    body: RegisterRequest, origin: Origin, connection: Connection, settings: AppSettings
) -> Accepted:
    """Create an account; a message asks to confirm the address."""
    await accounts.register(
        connection,
        settings,
        origin,
        email=body.email,
        password=body.password,
        first_name=body.first_name,
        last_name=body.last_name,
    )
    return Accepted(email=body.email, detail=_CHECK_INBOX)


@router.post("/verify-email/")
async def verify_email(body: TokenRequest, origin: Origin, connection: Connection) -> UserPublic:
    """Confirm the address with the token of the message sent at registration."""
    return UserPublic.of(await accounts.verify_email(connection, origin, body.token))


@router.post("/verify-email/resend/", status_code=status.HTTP_202_ACCEPTED)
async def resend_verification(body: EmailRequest, connection: Connection) -> Accepted:
    await jobs.request_account_mail(connection, Purpose.VERIFY_EMAIL, body.email)
    return Accepted(email=body.email, detail=_CHECK_INBOX)


@router.post("/login/")
async def login(
    body: LoginRequest, origin: Origin, connection: Connection, settings: AppSettings
) -> Tokens:
    """Trade an email and password for an access token and a refresh token."""
    pair, user = await sessions.login(connection, settings, origin, body.email, body.password)
    return Tokens(**pair.model_dump(), user=UserPublic.of(user))


@router.post("/refresh/")
async def refresh(body: RefreshRequest, connection: Connection, settings: AppSettings) -> TokenPair:
    """A new token pair for a refresh token, which is then used up."""
    return await sessions.rotate(connection, settings, body.refresh)


@router.post("/logout/", status_code=status.HTTP_204_NO_CONTENT)
async def logout(caller: Caller, origin: Origin, connection: Connection) -> None:
    """End the session: its access and refresh tokens stop working."""
    await sessions.logout(connection, origin, caller.id, caller.session_id)


@router.post("/password-reset/", status_code=status.HTTP_202_ACCEPTED)
async def request_password_reset(body: EmailRequest, connection: Connection) -> Accepted:
    """Email a single-use link to choose a new password."""
    await jobs.request_account_mail(connection, Purpose.RESET_PASSWORD, body.email)
    return Accepted(email=body.email, detail=_CHECK_INBOX)


@router.post("/password-reset/confirm/")
async def confirm_password_reset(
    body: PasswordResetConfirm, origin: Origin, connection: Connection
) -> UserPublic:
    """Set the new password; every session of the account is logged out."""
    user = await accounts.confirm_password_reset(connection, origin, body.token, body.password)
    return UserPublic.of(user)
