"""Email through the outbox: `send_later` writes the mail and defers its `mail.send` job
on the caller's connection, inside the caller's transaction, so both exist exactly when
the change they tell about is committed. The request never talks to the SMTP server.

The job is deferred in that transaction rather than drained by a periodic job: the
queue's NOTIFY at commit wakes a worker at once, and each mail gets the queue's
attempts, backoff and crash recovery of its own.
"""

from __future__ import annotations

import logging
from typing import Any

from psycopg import AsyncConnection

from control_plane.jobs import JobContext, enqueue, registry
from control_plane.mail import outbox, smtp
from control_plane.mail.outbox import Status
from control_plane.mail.settings import mail_settings

logger = logging.getLogger("control_plane.mail")


# Retries after 30 s, 1, 2, 4 ... 32 min: a server down for an hour still gets its mail.
@registry.kind("mail.send", max_attempts=8, timeout_seconds=120, backoff_seconds=30)
async def send(context: JobContext) -> None:
    mail_id: int = context.payload["mail_id"]
    async with context.pool.connection() as connection:
        mail = await outbox.queued(connection, mail_id)
    if mail is None:
        return  # delivered by an attempt whose worker was lost before it finished
    settings = mail_settings()
    if not settings.uses_smtp:
        async with context.pool.connection() as connection:
            await outbox.delivered(connection, mail_id, Status.KEPT)
        return
    try:
        message = smtp.compose(settings, mail.recipient, mail.subject, mail.body)
        await smtp.send(settings, message)
    except Exception as error:
        last = context.attempt >= context.max_attempts
        domain = mail.recipient.rpartition("@")[2]
        log = logger.error if last else logger.warning
        log("mail %s to a recipient at %s, attempt %s: %s", mail_id, domain, context.attempt, error)
        async with context.pool.connection() as connection:
            await outbox.attempt_failed(
                connection, mail_id, f"{type(error).__name__}: {error}", last=last
            )
        raise
    async with context.pool.connection() as connection:
        await outbox.delivered(connection, mail_id, Status.SENT)


async def send_later(
    connection: AsyncConnection[Any], recipient: str, subject: str, body: str
) -> int:
    """Queue an email; call it inside the transaction of the change it tells about."""
    mail_id = await outbox.add(connection, recipient, subject, body)
    await enqueue(connection, send, {"mail_id": mail_id})
    return mail_id
