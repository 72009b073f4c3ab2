"""`http_request`: a real HTTP call (httpx) under the outbound policy.

config: `url`, `method` (GET), `headers`, `query`, `json` or `body` (text), `timeout`
(seconds, 10, at most 60), `retries` (0 to 5: again after a connection error, a timeout
or a 5xx, with backoff), `follow_redirects` (true, each one checked), `max_response_bytes`
(1 MiB, at most 10 MiB), `fail_on_error_status` (true: a 4xx or 5xx fails the node).
Output: `status`, `headers`, `body` (parsed when JSON), `url` (after redirects).
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Mapping
from typing import Any

import httpx

from control_plane.automation import expressions
from control_plane.automation.engine.executors import config_checks as checks
from control_plane.automation.engine.nodes import (
    ConfigIssue,
    NodeFailed,
    NodeRun,
    NodeServices,
    register,
)
from control_plane.automation.node_types import NodeType
from control_plane.automation.outbound import OutboundRefused
from control_plane.automation.outbound_http import Answer, Outgoing, TooLarge, send

REQUIRED = ("url",)
METHODS = frozenset({"GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"})
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
DEFAULT_TIMEOUT = 10.0
MAX_TIMEOUT = 60.0
MAX_RETRIES = 5
DEFAULT_MAX_BYTES = 1_048_576
MAX_BYTES = 10 * 1_048_576


def decoded(answer: Answer) -> Any:
    """The body: JSON parsed when it says it is JSON, else text."""
    text = answer.body.decode(errors="replace")
    if "json" in answer.headers.get("content-type", ""):
        try:
            return json.loads(text)
        except ValueError:
            pass
    return text


def where(url: str) -> str:
    """A URL for the log: scheme, host and path, never its query (tokens travel there)."""
    parsed = httpx.URL(url)
    return f"{parsed.scheme}://{parsed.netloc.decode('ascii')}{parsed.path}"


class HttpRequest:
    node_type = NodeType.HTTP_REQUEST

    def has_side_effects(self, config: Mapping[str, Any]) -> bool:
        return str(config.get("method", "GET")).upper() not in _SAFE_METHODS

    def check(self, config: Mapping[str, Any]) -> list[ConfigIssue]:
        issues: list[ConfigIssue] = []
        checks.text(config, "url", issues)
        checks.choice(config, "method", METHODS, issues, "GET")
        checks.mapping(config, "headers", issues)
        checks.mapping(config, "query", issues)
        checks.text(config, "body", issues)
        checks.number(config, "timeout", 0.1, MAX_TIMEOUT, issues)
        checks.number(config, "retries", 0, MAX_RETRIES, issues)
        checks.number(config, "max_response_bytes", 1, MAX_BYTES, issues)
        checks.flag(config, "follow_redirects", issues)
        checks.flag(config, "fail_on_error_status", issues)
        if "json" in config and "body" in config:
            issues.append(ConfigIssue("config.body", "Give `json` or `body`, not both."))
        return issues

    async def check_environment(
        self, config: Mapping[str, Any], organization_id: uuid.UUID, services: NodeServices
    ) -> list[ConfigIssue]:
        return checks.missing(config, REQUIRED)

    async def run(self, node: NodeRun) -> dict[str, Any]:
        checks.require(node.config, REQUIRED)
        config = expressions.render(dict(node.config), node.scope)
        method = str(config.get("method", "GET")).upper()
        url = str(config["url"])
        if node.dry_run and self.has_side_effects(config):
            return {"dry_run": {"would": "send an HTTP request", "method": method, "url": url}}
        answer = await self._send_with_retries(node, _outgoing(config, method, url), config)
        await node.services.log(f"{method} {where(url)} -> {answer.status}")
        if answer.status >= 400 and config.get("fail_on_error_status", True):
            raise NodeFailed(f"{method} {where(url)} answered {answer.status}", "HTTP_ERROR")
        return {
            "status": answer.status,
            "headers": answer.headers,
            "body": decoded(answer),
            "url": answer.url,
        }

    async def _send_with_retries(
        self, node: NodeRun, outgoing: Outgoing, config: Mapping[str, Any]
    ) -> Answer:
        retries = int(config.get("retries", 0))
        for attempt in range(retries + 1):
            left = node.deadline - time.monotonic()
            if left <= 0:
                raise NodeFailed("the execution's time ran out", "AUTO_006")
            try:
                answer = await send(
                    outgoing,
                    allow_loopback=node.services.settings.automation_allow_loopback,
                    timeout=min(float(config.get("timeout", DEFAULT_TIMEOUT)), left),
                    max_bytes=int(config.get("max_response_bytes", DEFAULT_MAX_BYTES)),
                    follow_redirects=bool(config.get("follow_redirects", True)),
                )
            except OutboundRefused as refused:
                raise NodeFailed(f"outbound policy: {refused}", "OUTBOUND_REFUSED") from None
            except TooLarge as error:
                raise NodeFailed(str(error), "RESPONSE_TOO_LARGE") from None
            except httpx.HTTPError as error:
                if attempt == retries:
                    raise NodeFailed(
                        f"{outgoing.method} {where(outgoing.url)}: {type(error).__name__}",
                        "HTTP_UNREACHABLE",
                    ) from None
            else:
                if answer.status < 500 or attempt == retries:
                    return answer
            await node.services.log(f"attempt {attempt + 1} failed, retrying")
            await asyncio.sleep(min(0.5 * 2**attempt, 5.0))
        raise AssertionError("unreachable: the last attempt returns or raises")


def _outgoing(config: Mapping[str, Any], method: str, url: str) -> Outgoing:
    headers = {str(k): str(v) for k, v in (config.get("headers") or {}).items()}
    content: bytes | None = None
    if "json" in config:
        content = json.dumps(config["json"]).encode()
        headers.setdefault("content-type", "application/json")
    elif config.get("body") is not None:
        content = str(config["body"]).encode()
    params = {str(k): str(v) for k, v in (config.get("query") or {}).items()}
    return Outgoing(method, url, headers, params, content)


EXECUTOR = register(HttpRequest())
