"""Email through the SMTP server of the settings (smtplib, in a thread).

A message that cannot be sent is logged (recipient domain and reason, never the link it
carried) and reported to the caller as False; the anonymous flows (register, password
reset) answer the same either way, so that their answer says nothing about an account.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
from email.message import EmailMessage

from control_plane.config import Settings

logger = logging.getLogger("control_plane.mail")
SMTP_TIMEOUT_SECONDS = 10


def _send(settings: Settings, message: EmailMessage) -> None:
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_username and settings.smtp_password:
            smtp.login(settings.smtp_username, settings.smtp_password.get_secret_value())
        smtp.send_message(message)


async def send_mail(settings: Settings, to: str, subject: str, body: str) -> bool:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    try:
        await asyncio.to_thread(_send, settings, message)
    except (OSError, smtplib.SMTPException) as error:
        domain = to.rpartition("@")[2]
        logger.error("could not send %r to a recipient at %s: %s", subject, domain, error)
        return False
    return True


def link(settings: Settings, path: str, token: str) -> str:
    return f"{settings.public_url.rstrip('/')}{path}?token={token}"
