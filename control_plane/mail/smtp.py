"""An outbox row as an email (headers built by the standard library, which refuses a
line break in any of them), handed to the SMTP server of the settings (smtplib, in a
thread)."""

from __future__ import annotations

import asyncio
import smtplib
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP

from control_plane.mail.settings import MailSettings

TIMEOUT_SECONDS = 30


def compose(settings: MailSettings, recipient: str, subject: str, body: str) -> EmailMessage:
    """The message; ValueError for a header that cannot be written (a line break, say)."""
    message = EmailMessage(policy=SMTP)
    message["From"] = settings.mail_from
    message["To"] = Address(addr_spec=recipient)
    message["Subject"] = subject
    message.set_content(body)
    return message


def _send(settings: MailSettings, message: EmailMessage) -> None:
    assert settings.smtp_host
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=TIMEOUT_SECONDS) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_username and settings.smtp_password:
            smtp.login(settings.smtp_username, settings.smtp_password.get_secret_value())
        smtp.send_message(message)


async def send(settings: MailSettings, message: EmailMessage) -> None:
    """Hand `message` to the SMTP server; OSError or SMTPException when it does not take it."""
    await asyncio.to_thread(_send, settings, message)
