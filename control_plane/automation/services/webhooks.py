"""Webhook triggers: `POST /workflows/{id}/trigger/` with no user token. The caller proves
it holds the workflow's secret (made at its first activation, encrypted at rest):

- `X-Nocode-Signature: sha256=<hex>`, the HMAC-SHA256 of the raw body under the secret
  (GitHub's and Stripe's scheme): the secret never travels, and a body changed on the way
  does not pass;
- or `X-Nocode-Webhook-Secret: <secret>`, for senders that cannot sign.

Both are compared in constant time. The body (a JSON object, or nothing) is the
execution's input_data. This is the hot path of a webhook workflow: one read of the
workflow, the decrypted secret cached per ciphertext, no audit entry per call.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from psycopg_pool import AsyncConnectionPool

from control_plane.automation import errors
from control_plane.automation.errors import INVALID_DATA, WORKFLOW_NOT_FOUND
from control_plane.automation.models.common import (
    ExecutionStatus,
    TriggerType,
    WorkflowStatus,
)
from control_plane.automation.models.triggers import WebhookAccepted, WebhookFinished
from control_plane.automation.queries import triggers
from control_plane.automation.queries.triggers import Trigger
from control_plane.automation.services import executions
from control_plane.automation.services.access import NO_WORKFLOW
from control_plane.config import Settings, vault_of
from control_plane.db import Conn
from control_plane.errors import NOT_AUTHENTICATED, ApiError, ErrorKind
from platform_support.vault import Vault

SIGNATURE_HEADER = "X-Nocode-Signature"
SECRET_HEADER = "X-Nocode-Webhook-Secret"
WHEN_LAST_NODE_FINISHES = "when_last_node_finishes"
# How long a caller waiting for the output waits at most (the workflow's own
# timeout_seconds may be shorter).
WAIT_SECONDS = 30.0
# A failed execution's code: a seed code answers with its status (AUTO_006 504, AUTO_007
# 400...); any other (a node's NODE_FAILED...) with 502, the workflow's failure.
_SEED_KINDS = {kind.code: kind for kind in vars(errors).values() if isinstance(kind, ErrorKind)}
EXECUTION_FAILED = "L'exécution du workflow a échoué"


@lru_cache(maxsize=4096)
def _secret(vault: Vault, encrypted: bytes) -> str:
    """A workflow's secret, decrypted once per ciphertext (a new secret is a new one)."""
    return vault.decrypt(encrypted)


def sign(secret: str, body: bytes) -> str:
    """The X-Nocode-Signature of `body`."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def check_caller(secret: str, body: bytes, headers: Mapping[str, str]) -> None:
    """401 NOT_AUTHENTICATED unless the headers prove the secret."""
    signature = headers.get(SIGNATURE_HEADER)
    if signature is not None:
        if hmac.compare_digest(sign(secret, body).encode(), signature.strip().encode()):
            return
        raise ApiError(
            NOT_AUTHENTICATED,
            {SIGNATURE_HEADER: "Not the HMAC-SHA256 of this body under the webhook's secret."},
        )
    given = headers.get(SECRET_HEADER)
    if given is not None and hmac.compare_digest(given.strip().encode(), secret.encode()):
        return
    raise ApiError(
        NOT_AUTHENTICATED,
        {SIGNATURE_HEADER: f"Sign the body (sha256=<hex>), or send {SECRET_HEADER}."},
    )


def input_of(body: bytes) -> dict[str, Any]:
    """The execution's input_data: the body's JSON object ({} for an empty body)."""
    if not body.strip():
        return {}
    try:
        value = json.loads(body)
    except ValueError:  # UnicodeDecodeError too
        raise ApiError(INVALID_DATA, {"body": "Not JSON."}) from None
    if not isinstance(value, dict):
        raise ApiError(INVALID_DATA, {"body": "Must be a JSON object."})
    return value


async def _firing(connection: Conn, workflow_id: uuid.UUID) -> Trigger:
    found = await triggers.one(connection, workflow_id)
    if (
        found is None
        or found.trigger_type != TriggerType.WEBHOOK
        or found.status != WorkflowStatus.ACTIVE
        or found.webhook_secret is None
    ):
        raise ApiError(WORKFLOW_NOT_FOUND, NO_WORKFLOW)
    return found


async def trigger(
    pool: AsyncConnectionPool[Conn],
    settings: Settings,
    workflow_id: uuid.UUID,
    body: bytes,
    headers: Mapping[str, str],
) -> WebhookAccepted | WebhookFinished:
    """Start the workflow with the body as its input, in this process: answering at once
    (the default), or waiting for its output when its trigger_config says `respond:
    when_last_node_finishes`."""
    async with pool.connection() as connection:
        workflow = await _firing(connection, workflow_id)
        assert workflow.webhook_secret is not None
        check_caller(_secret(vault_of(settings), workflow.webhook_secret), body, headers)
        input_data = input_of(body)
        context = {"webhook": True}
    if workflow.trigger_config.get("respond") != WHEN_LAST_NODE_FINISHES:
        started = await executions.start_inline(
            pool,
            settings,
            workflow_id,
            trigger_type=TriggerType.WEBHOOK,
            input_data=input_data,
            execution_context=context,
            performed_by=workflow.activated_by,
        )
        return WebhookAccepted(
            execution_id=started.execution_id,
            workflow_id=workflow_id,
            status=started.status,
            started_at=started.started_at,
        )
    result = await executions.run_inline(
        pool,
        settings,
        workflow_id,
        trigger_type=TriggerType.WEBHOOK,
        input_data=input_data,
        execution_context=context,
        timeout_seconds=WAIT_SECONDS,
        performed_by=workflow.activated_by,
    )
    if result.status is ExecutionStatus.RUNNING:  # it waits (a delay): a job goes on with it
        return WebhookAccepted(
            execution_id=result.execution_id,
            workflow_id=workflow_id,
            status=result.status,
            started_at=datetime.now(UTC),
        )
    if result.status is not ExecutionStatus.COMPLETED:
        code = result.error_code or "EXECUTION_FAILED"
        kind = _SEED_KINDS.get(code) or ErrorKind(502, code, EXECUTION_FAILED)
        details = {"execution_id": str(result.execution_id)}
        if result.error_message:
            details["message"] = result.error_message
        raise ApiError(kind, details)
    return WebhookFinished(
        execution_id=result.execution_id,
        workflow_id=workflow_id,
        status=result.status,
        output_data=result.output_data,
    )
