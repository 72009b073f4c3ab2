"""A scheduled job: delete what the Foundation no longer needs (expired or used link
tokens, old login failures, refresh tokens past their expiry, sessions long over)."""

from __future__ import annotations

from typing import LiteralString

from control_plane.jobs import JobContext, registry

# Kept a day after they stop mattering: enough to read them when a user asks why.
_PURGES: list[tuple[str, LiteralString]] = [
    (
        "one-time tokens",
        "DELETE FROM one_time_tokens "
        "WHERE expires_at < now() - interval '1 day' OR used_at < now() - interval '1 day'",
    ),
    ("login failures", "DELETE FROM login_failures WHERE failed_at < now() - interval '1 day'"),
    ("refresh tokens", "DELETE FROM refresh_tokens WHERE expires_at < now()"),
    ("sessions", "DELETE FROM sessions WHERE revoked_at < now() - interval '1 day'"),
    # Mails carry link tokens: kept a week for `nocode mail`, past the tokens' default 24 h.
    (
        "mails",
        "DELETE FROM mail_outbox "
        "WHERE status <> 'queued' AND created_at < now() - interval '7 days'",
    ),
]


@registry.kind("foundation.housekeeping", max_attempts=3, timeout_seconds=600)
async def housekeeping(context: JobContext) -> None:
    for position, (what, statement) in enumerate(_PURGES, start=1):
        await context.progress(what, done=position, total=len(_PURGES))
        async with context.pool.connection() as connection:
            cursor = await connection.execute(statement)
            await context.log(f"deleted {cursor.rowcount} {what}")


registry.schedule(housekeeping, "17 * * * *", schedule_id="hourly")
