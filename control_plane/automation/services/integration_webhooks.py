"""Calls back from a provider (`POST /integrations/{id}/webhook/`): the body is signed
with the integration's `webhook_secret` (HMAC-SHA256 over the raw body, hex, in
`X-Nocode-Signature: sha256=<hex>`), compared in constant time. A good call becomes the
platform event `integration.webhook`, which `event` workflows may react to; any other
is refused with the same 401, whether the integration exists, is disabled, or not."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from typing import Any

from control_plane import events
from control_plane.automation.queries import integrations
from control_plane.db import Conn
from control_plane.errors import ApiError, ErrorKind
from platform_support.vault import Vault

SIGNATURE_HEADER = "X-Nocode-Signature"
SIGNATURE_PREFIX = "sha256="
BAD_SIGNATURE = ErrorKind(401, "INVALID_SIGNATURE", "The call's signature does not match")


def signature(secret: str, body: bytes) -> str:
    """The header's value for `body` signed with `secret`."""
    return SIGNATURE_PREFIX + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


async def receive(
    connection: Conn, vault: Vault, integration_id: uuid.UUID, body: bytes, signed: str | None
) -> int:
    """Record a provider's call as a platform event; its id."""
    found = await integrations.credentials(connection, integration_id)
    if found is not None and found.status == "disabled":
        found = None  # a disabled integration takes no calls, as if it did not exist
    secrets = json.loads(vault.decrypt(found.secrets)) if found and found.secrets else {}
    secret = secrets.get("webhook_secret")
    expected = signature(str(secret), body) if secret else ""
    if not (secret and signed and hmac.compare_digest(expected.encode(), signed.encode())):
        raise ApiError(BAD_SIGNATURE, {"signature": f"Missing or wrong {SIGNATURE_HEADER}."})
    assert found is not None
    payload = {
        "integration_id": str(found.id),
        "provider": found.provider,
        "type": found.type,
        "body": _parsed(body),
    }
    async with connection.transaction():
        return await events.emit(
            connection, found.organization_id, events.INTEGRATION_WEBHOOK, payload
        )


def _parsed(body: bytes) -> Any:
    """The body as JSON when it is, else as text (invalid UTF-8 replaced)."""
    text = body.decode(errors="replace").replace("\x00", "\ufffd")
    try:
        return json.loads(text)
    except ValueError:
        return text
