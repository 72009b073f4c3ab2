"""The outbox as `nocode mail` shows it: recent mails with their links, or one in full."""

from __future__ import annotations

import psycopg
from psycopg.rows import class_row

from control_plane.mail.outbox import ONE, RECENT, Mail


def recent(database_url: str, limit: int) -> list[Mail]:
    """The last `limit` mails, newest first; none when the outbox was never created."""
    with psycopg.connect(database_url) as connection:
        try:
            with connection.cursor(row_factory=class_row(Mail)) as cursor:
                return cursor.execute(RECENT, (limit,)).fetchall()
        except psycopg.errors.UndefinedTable:
            return []  # the service never started on this database


def one(database_url: str, mail_id: int) -> Mail | None:
    with psycopg.connect(database_url) as connection:
        try:
            with connection.cursor(row_factory=class_row(Mail)) as cursor:
                return cursor.execute(ONE, (mail_id,)).fetchone()
        except psycopg.errors.UndefinedTable:
            return None


def _when(mail: Mail) -> str:
    return mail.created_at.strftime("%Y-%m-%d %H:%M:%S UTC")


def listing(mails: list[Mail]) -> str:
    """One line per mail (id, time, status, recipient, subject), its links indented below."""
    if not mails:
        return "no mail yet"
    lines: list[str] = []
    for mail in mails:
        lines.append(
            f"{mail.id:>5}  {_when(mail)}  {mail.status:<6}  {mail.recipient}  {mail.subject}"
        )
        lines += [f"       {link}" for link in mail.links]
    return "\n".join(lines)


def full(mail: Mail) -> str:
    """The mail as it was (or will be) sent, with its delivery status above it."""
    status = f"status: {mail.status}, {mail.attempts} attempt(s)"
    if mail.last_error:
        status += f", last error: {mail.last_error}"
    return "\n".join(
        [
            f"mail {mail.id}, {_when(mail)}",
            status,
            f"To: {mail.recipient}",
            f"Subject: {mail.subject}",
            "",
            mail.body.rstrip("\n"),
        ]
    )
