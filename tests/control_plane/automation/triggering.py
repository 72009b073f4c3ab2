"""What the trigger tests share: a webhook workflow, a webhook call signed as a sender
would, and the executions of a workflow read from the database."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import psycopg

from control_plane import events
from tests.control_plane.automation.conftest import Automation, Workflow
from tests.control_plane.conftest import Api
from tests.control_plane.studio.conftest import Team

FINISHED = ("success", "failed", "cancelled")

TRANSFORM = ("transform", {"config": {"output": {"greeting": "{{input_data.name}}"}}})


def webhook_workflow(automation: Automation, team: Team, project: str, **body: Any) -> Workflow:
    """A MEMBER's webhook workflow: its trigger, then a transform of `input_data.name`."""
    return automation.build(
        team.users["MEMBER"],
        project,
        {"Hook": ("trigger", {}), "Greet": TRANSFORM},
        [("Hook", "Greet")],
        trigger_type="webhook",
        **body,
    )


def signature(secret: str, raw: bytes) -> dict[str, str]:
    """The X-Nocode-Signature of `raw`, as a sender computes it."""
    digest = hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return {"X-Nocode-Signature": f"sha256={digest}", "Content-Type": "application/json"}


def signed(secret: str, body: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    """The raw body of `body` and its signature."""
    raw = json.dumps(body).encode()
    return raw, signature(secret, raw)


def call_webhook(
    api: Api, url: str, secret: str, body: dict[str, Any], timeout: float = 30
) -> httpx.Response:
    raw, headers = signed(secret, body)
    return httpx.post(url.replace("http://cp.test", api.server.base_url), content=raw,
                      headers=headers, timeout=timeout)  # fmt: skip


@dataclass(frozen=True)
class ExecutionRow:
    id: uuid.UUID
    status: str  # the run's
    trigger_type: str
    input_data: dict[str, Any]
    execution_context: dict[str, Any]
    output_data: dict[str, Any] | None
    created_at: datetime
    started_at: datetime | None
    error: str | None  # the run's error code and message


def executions_of(api: Api, workflow: str) -> list[ExecutionRow]:
    rows = api.query(
        "SELECT r.id, r.status, e.trigger_type, e.input_data, e.execution_context,"
        " e.output_data, r.created_at, r.started_at, r.error_code || ': ' || r.error_message"
        " FROM automation_executions AS e JOIN runs AS r ON r.id = e.run_id"
        " WHERE e.workflow_id = %s ORDER BY r.created_at, r.id",
        uuid.UUID(workflow),
    )
    return [ExecutionRow(*row) for row in rows]


def finished_executions(
    api: Api, workflow: str, count: int, timeout: float = 30
) -> list[ExecutionRow]:
    """The workflow's executions once `count` of them have finished."""
    deadline = time.monotonic() + timeout
    while True:
        found = executions_of(api, workflow)
        if sum(row.status in FINISHED for row in found) >= count:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"{count} executions of {workflow} did not finish: {found}")
        time.sleep(0.1)


def settled_executions(api: Api, workflow: str, timeout: float = 30) -> list[ExecutionRow]:
    """The workflow's executions once none is pending or running."""
    deadline = time.monotonic() + timeout
    while True:
        found = executions_of(api, workflow)
        if all(row.status in FINISHED for row in found):
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"executions of {workflow} still running: {found}")
        time.sleep(0.1)


def emit(api: Api, organization: str, project: str, name: str, payload: dict[str, Any]) -> None:
    """A platform event of the project, as the module that tells of it emits it."""

    async def write() -> None:
        url = api.server.database_url
        async with await psycopg.AsyncConnection.connect(url, autocommit=True) as connection:
            await events.emit(
                connection, uuid.UUID(organization), name, payload, project_id=uuid.UUID(project)
            )

    asyncio.run(write())
