"""Outgoing email: an outbox table written in the request's transaction, delivered by a
job (SMTP when SMTP_HOST is set, else kept for `nocode mail`). See docs/control-plane.md."""

from control_plane.mail.outbox import Mail, Status
from control_plane.mail.sending import send_later
from control_plane.mail.settings import MailSettings, mail_settings

__all__ = ["Mail", "MailSettings", "Status", "mail_settings", "send_later"]
