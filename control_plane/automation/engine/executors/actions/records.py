"""`create_record` and `update_record`: a record written into a project's table through
its deployed app (the Runtime contract, as the platform forwards data: a short token of
the role of the member the workflow acts as, queries/actors.py).

config: `table`, `data` (an object), `environment` (production); for update_record also
`record_id`, and `replace` (false: PATCH the fields given; true: PUT the whole record).
Output: `record` (the app's answer), `record_id`, `created` or `updated`.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import httpx

from control_plane.automation.engine.executors import config_checks as checks
from control_plane.automation.engine.nodes import ConfigIssue, NodeFailed, NodeRun, NodeServices
from control_plane.automation.outbound_http import TLS_CONTEXT
from control_plane.automation.queries import actors
from control_plane.config import vault_of
from control_plane.errors import ApiError
from control_plane.runtime.models.environments import Environment
from control_plane.runtime.services.forwarding import CONNECT_SECONDS, Upstream, upstream_of

_TABLE = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
ENVIRONMENTS = frozenset(environment.value for environment in Environment)


async def upstream(node: NodeRun, environment: str) -> Upstream:
    """The project's app in `environment` with a token of the workflow's actor."""
    async with node.services.pool.connection() as connection:
        actor = await actors.of_workflow(connection, node.workflow_id)
        if actor is None:
            raise NodeFailed("nobody to act as: the workflow has no creator left", "AUTO_004")
        try:
            return await upstream_of(
                connection,
                vault_of(node.services.settings),
                actor,
                node.project_id,
                Environment(environment),
            )
        except ApiError as error:
            raise NodeFailed(f"the project's app: {error.kind.message}", error.kind.code) from None


async def call_app(
    node: NodeRun, method: str, table: str, record_id: str | None, data: Any, environment: str
) -> dict[str, Any]:
    app = await upstream(node, environment)
    path = f"/api/v1/runtime/projects/{node.project_id}/tables/{quote(table)}/"
    if record_id is not None:
        path += f"{quote(record_id, safe='')}/"
    left = node.deadline - time.monotonic()
    if left <= 0:
        raise NodeFailed("the execution's time ran out", "AUTO_006")
    seconds = min(node.services.settings.app_timeout, left)
    timeout = httpx.Timeout(seconds, connect=min(CONNECT_SECONDS, seconds))
    headers = {"authorization": f"Bearer {app.token}"}
    try:
        async with httpx.AsyncClient(
            timeout=timeout, trust_env=False, verify=TLS_CONTEXT
        ) as client:
            answer = await client.request(method, app.url + path, json=data, headers=headers)
    except httpx.HTTPError as error:
        raise NodeFailed(f"the project's app: {type(error).__name__}", "APP_UNAVAILABLE") from None
    await node.services.log(f"{method} {path} -> {answer.status_code}")
    try:
        body = answer.json()
    except ValueError:
        body = None
    if answer.status_code >= 400 or not isinstance(body, dict):
        refusal = body if isinstance(body, dict) else {}
        message = f"the app answered {answer.status_code}"
        if refusal.get("error"):
            message += f": {refusal['error']} {json.dumps(refusal.get('details', {}))}"
        raise NodeFailed(message, str(refusal.get("code", "APP_BAD_RESPONSE")))
    return body


class _RecordWrite:
    updates: bool

    @property
    def required(self) -> tuple[str, ...]:
        return ("table", "data", "record_id") if self.updates else ("table", "data")

    def check(self, config: Mapping[str, Any]) -> list[ConfigIssue]:
        issues: list[ConfigIssue] = []
        checks.text(config, "table", issues)
        if isinstance(config.get("table"), str) and not _TABLE.match(config["table"]):
            issues.append(ConfigIssue("config.table", "A table's name (a-z, 0-9, _)."))
        checks.mapping(config, "data", issues)
        checks.choice(config, "environment", ENVIRONMENTS, issues, Environment.PRODUCTION)
        if self.updates:
            if "record_id" in config and not isinstance(config["record_id"], str | int):
                issues.append(ConfigIssue("config.record_id", "The record's id."))
            checks.flag(config, "replace", issues)
        return issues

    async def check_environment(
        self, config: Mapping[str, Any], organization_id: uuid.UUID, services: NodeServices
    ) -> list[ConfigIssue]:
        return checks.missing(config, self.required)

    async def run(self, node: NodeRun, config: Mapping[str, Any]) -> dict[str, Any]:
        checks.require(config, self.required)
        table, data = str(config["table"]), config["data"]
        environment = str(config.get("environment", Environment.PRODUCTION))
        record_id = str(config["record_id"]) if self.updates else None
        if node.dry_run:
            would = "update a record" if self.updates else "create a record"
            return {
                "dry_run": {"would": would, "table": table, "record_id": record_id, "data": data}
            }
        if not self.updates:
            record = await call_app(node, "POST", table, None, data, environment)
            return {"record": record, "record_id": record.get("id"), "created": True}
        method = "PUT" if config.get("replace") else "PATCH"
        record = await call_app(node, method, table, record_id, data, environment)
        return {"record": record, "record_id": record.get("id", record_id), "updated": True}


class CreateRecord(_RecordWrite):
    updates = False


class UpdateRecord(_RecordWrite):
    updates = True
