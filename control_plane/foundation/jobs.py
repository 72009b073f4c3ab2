"""The Foundation's job kinds: the mails asked for anonymously (email verification, password
reset), and a scheduled one that deletes what the Foundation no longer needs (expired or
used link tokens, old login failures, refresh tokens past their expiry, sessions long over,
delivered mails)."""

from __future__ import annotations

from typing import Any

from psycopg import AsyncConnection

from control_plane.config import get_settings
from control_plane.foundation.queries.housekeeping import PURGES
from control_plane.foundation.services import accounts
from control_plane.foundation.services.one_time_tokens import Purpose
from control_plane.jobs import JobContext, enqueue, registry


@registry.kind("foundation.account_mail", max_attempts=3, timeout_seconds=60)
async def account_mail(context: JobContext) -> None:
    purpose = Purpose(context.payload["purpose"])
    async with context.pool.connection() as connection:
        await accounts.send_account_mail(
            connection, get_settings(), purpose, context.payload["email"]
        )


async def request_account_mail(
    connection: AsyncConnection[Any], purpose: Purpose, email: str
) -> None:
    """Ask for the mail of `purpose` to `email`, whether or not it has an account."""
    await enqueue(connection, account_mail, {"purpose": purpose, "email": email})


@registry.kind("foundation.housekeeping", max_attempts=3, timeout_seconds=600)
async def housekeeping(context: JobContext) -> None:
    for position, (what, statement) in enumerate(PURGES, start=1):
        await context.progress(what, done=position, total=len(PURGES))
        async with context.pool.connection() as connection:
            cursor = await connection.execute(statement)
            await context.log(f"deleted {cursor.rowcount} {what}")


registry.schedule(housekeeping, "17 * * * *", schedule_id="hourly")
