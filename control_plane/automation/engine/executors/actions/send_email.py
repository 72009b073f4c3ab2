"""`send_email`: `recipient`, `subject`, `body` (text), and optionally `integration`, an
`email` integration of provider `smtp` (host, port, username, password, security
starttls/ssl/none, from_email, from_name, reply_to), through which it is sent at once
(smtplib in a thread); without one it goes through the platform's mail outbox
(control_plane/mail), delivered by its job with retries. Output: `email_sent`, `via`."""

from __future__ import annotations

import asyncio
import smtplib
from collections.abc import Mapping
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from typing import Any

from control_plane.automation import smtp_client
from control_plane.automation.engine.executors import config_checks as checks
from control_plane.automation.engine.executors.integration_use import UsesIntegration
from control_plane.automation.engine.nodes import ConfigIssue, NodeFailed, NodeRun
from control_plane.automation.models.common import IntegrationType
from control_plane.mail import send_later


def compose(values: Mapping[str, Any], recipient: str, subject: str, body: str) -> EmailMessage:
    """The message (ValueError for a header that cannot be written: a line break...)."""
    message = EmailMessage(policy=SMTP)
    message["From"] = Address(
        display_name=str(values.get("from_name", "")), addr_spec=str(values["from_email"])
    )
    message["To"] = Address(addr_spec=recipient)
    message["Subject"] = subject
    if values.get("reply_to"):
        message["Reply-To"] = Address(addr_spec=str(values["reply_to"]))
    message.set_content(body)
    return message


def deliver(values: Mapping[str, Any], message: EmailMessage) -> None:
    """Hand `message` to the integration's SMTP server (blocking: run it in a thread)."""
    with smtp_client.session(values) as smtp:
        smtp.send_message(message)


class SendEmail(UsesIntegration):
    required = ("recipient", "subject", "body")
    integration_type = IntegrationType.EMAIL

    def check(self, config: Mapping[str, Any]) -> list[ConfigIssue]:
        return checks.texts(config, (*self.required, "integration"))

    async def run(self, node: NodeRun, config: Mapping[str, Any]) -> dict[str, Any]:
        checks.require(config, self.required)
        recipient, subject = str(config["recipient"]), str(config["subject"])
        body = str(config["body"])
        if node.dry_run:
            return {
                "dry_run": {"would": "send an email", "recipient": recipient, "subject": subject}
            }
        if not config.get("integration"):
            async with node.services.pool.connection() as connection, connection.transaction():
                mail_id = await send_later(connection, recipient, subject, body)
            await node.services.log(f"email queued in the platform's outbox ({mail_id})")
            return {"email_sent": True, "via": "outbox", "mail_id": mail_id}
        integration = await self.integration(node, config)
        if integration.provider != "smtp":
            raise NodeFailed(f"{integration.provider} cannot send yet; use smtp.", "AUTO_004")
        try:
            message = compose(integration.values, recipient, subject, body)
            await asyncio.to_thread(deliver, integration.values, message)
        except ValueError as error:
            raise NodeFailed(f"the email cannot be written: {error}", "AUTO_007") from None
        except (OSError, smtplib.SMTPException) as error:
            raise NodeFailed(
                f"the SMTP server refused it: {type(error).__name__}", "SMTP_FAILED"
            ) from None
        await node.services.log(f"email sent through integration {integration.id}")
        return {"email_sent": True, "via": "smtp", "integration": str(integration.id)}
