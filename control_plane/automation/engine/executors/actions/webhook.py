"""`webhook`: a message posted to a `messaging` integration's incoming webhook (Slack's
shape, which Teams and Discord's Slack-compatible endpoints take too): the URL is the
integration's secret; the body is `{"text", "channel"?, "username"?}`, `channel` from
the node or the integration's `default_channel`, `username` its `bot_name`. The outbound
policy applies. Output: `message_sent`, `status`."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import httpx

from control_plane.automation.engine.executors import config_checks as checks
from control_plane.automation.engine.executors.integration_use import UsesIntegration
from control_plane.automation.engine.nodes import ConfigIssue, NodeFailed, NodeRun
from control_plane.automation.models.common import IntegrationType
from control_plane.automation.outbound import OutboundRefused
from control_plane.automation.outbound_http import Outgoing, TooLarge, send

TIMEOUT_SECONDS = 10.0
MAX_ANSWER_BYTES = 65_536


def message(config: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, str]:
    body = {"text": str(config["text"])}
    channel = config.get("channel") or values.get("default_channel")
    if channel:
        body["channel"] = str(channel)
    if values.get("bot_name"):
        body["username"] = str(values["bot_name"])
    return body


class ChatWebhook(UsesIntegration):
    required = ("integration", "text")
    integration_type = IntegrationType.MESSAGING

    def check(self, config: Mapping[str, Any]) -> list[ConfigIssue]:
        return checks.texts(config, (*self.required, "channel"))

    async def run(self, node: NodeRun, config: Mapping[str, Any]) -> dict[str, Any]:
        checks.require(config, self.required)
        integration = await self.integration(node, config)
        body = message(config, integration.values)
        if node.dry_run:
            return {
                "dry_run": {"would": "post a message", "integration": str(integration.id), **body}
            }
        outgoing = Outgoing(
            "POST",
            str(integration.values["webhook_url"]),
            {"content-type": "application/json"},
            content=json.dumps(body).encode(),
        )
        try:
            answer = await send(
                outgoing,
                allow_loopback=node.services.settings.automation_allow_loopback,
                timeout=TIMEOUT_SECONDS,
                max_bytes=MAX_ANSWER_BYTES,
                follow_redirects=False,
            )
        except OutboundRefused:  # its text would name the URL, a secret
            refusal = "outbound policy: the integration's webhook_url may not be reached"
            raise NodeFailed(refusal, "OUTBOUND_REFUSED") from None
        except (httpx.HTTPError, TooLarge) as error:
            raise NodeFailed(f"the webhook: {type(error).__name__}", "HTTP_UNREACHABLE") from None
        await node.services.log(
            f"message posted through integration {integration.id} -> {answer.status}"
        )
        if answer.status >= 400:
            raise NodeFailed(f"the webhook answered {answer.status}", "HTTP_ERROR")
        return {"message_sent": True, "status": answer.status}
