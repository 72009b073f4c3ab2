"""The `mail_outbox` table: every email, its delivery status, attempts and last error.

The statements are shared by the server (async) and by `nocode mail` (sync), so they are
constants here; rows come back as `Mail`.
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from typing import Any

from psycopg import AsyncConnection
from psycopg.rows import class_row, scalar_row
from pydantic import BaseModel


class Status(StrEnum):
    QUEUED = "queued"  # waiting for its job, or between two attempts
    SENT = "sent"  # accepted by the SMTP server
    KEPT = "kept"  # no SMTP server configured: delivered to this outbox, for `nocode mail`
    FAILED = "failed"  # every attempt failed; last_error says why


class Mail(BaseModel):
    id: int
    recipient: str
    subject: str
    body: str
    status: Status
    attempts: int
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None

    @property
    def links(self) -> list[str]:
        return _LINK.findall(self.body)


_LINK = re.compile(r"https?://\S+")
_COLUMNS = "id, recipient, subject, body, status, attempts, last_error, created_at, delivered_at"

ADD = "INSERT INTO mail_outbox (recipient, subject, body) VALUES (%s, %s, %s) RETURNING id"
ONE = f"SELECT {_COLUMNS} FROM mail_outbox WHERE id = %s"
RECENT = f"SELECT {_COLUMNS} FROM mail_outbox ORDER BY created_at DESC, id DESC LIMIT %s"
_QUEUED = f"SELECT {_COLUMNS} FROM mail_outbox WHERE id = %s AND status = 'queued'"
_DELIVERED = """
UPDATE mail_outbox
   SET status = %s, attempts = attempts + 1, last_error = NULL, delivered_at = now()
 WHERE id = %s
"""
_FAILED = """
UPDATE mail_outbox SET status = %s, attempts = attempts + 1, last_error = %s WHERE id = %s
"""


async def add(connection: AsyncConnection[Any], recipient: str, subject: str, body: str) -> int:
    async with connection.cursor(row_factory=scalar_row) as cursor:
        await cursor.execute(ADD, (recipient, subject, body))
        mail_id: int | None = await cursor.fetchone()
    assert mail_id is not None
    return mail_id


async def queued(connection: AsyncConnection[Any], mail_id: int) -> Mail | None:
    """The mail if it still waits for delivery (a retried job may find it delivered)."""
    async with connection.cursor(row_factory=class_row(Mail)) as cursor:
        await cursor.execute(_QUEUED, (mail_id,))
        return await cursor.fetchone()


async def delivered(connection: AsyncConnection[Any], mail_id: int, status: Status) -> None:
    await connection.execute(_DELIVERED, (status, mail_id))


async def attempt_failed(
    connection: AsyncConnection[Any], mail_id: int, error: str, *, last: bool
) -> None:
    status = Status.FAILED if last else Status.QUEUED
    await connection.execute(_FAILED, (status, error, mail_id))
