"""SQL of the housekeeping job: what the Foundation no longer needs, by what it is.

Kept a day after they stop mattering: enough to read them when a user asks why."""

from __future__ import annotations

from typing import LiteralString

PURGES: list[tuple[str, LiteralString]] = [
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
