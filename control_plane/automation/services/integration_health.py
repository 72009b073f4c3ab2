"""`POST /integrations/{id}/test/`: the integration's connection checked for real (SMTP:
connect, TLS, login; messaging: the webhook's host answers HTTP, under the outbound
policy, without posting; database: connect and `SELECT 1`), kept as its
`health_status`. A failed check marks it `error` (nodes refuse it, AUTO_004) until a
check succeeds; providers without a client here are `not_checked`. The message names
the kind of failure only, never a server's text (which may echo credentials)."""

from __future__ import annotations

import asyncio
import json
import smtplib
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import httpx
import psycopg

from control_plane.automation import smtp_client
from control_plane.automation.models.integrations import IntegrationStatus
from control_plane.automation.outbound import OutboundRefused
from control_plane.automation.outbound_http import Outgoing, send
from control_plane.automation.queries import integrations
from control_plane.automation.services.integrations import managed
from control_plane.config import Settings, vault_of
from control_plane.db import Conn
from control_plane.foundation.services.audit import RequestOrigin, record_action

PROBE_SECONDS = 10.0
_FAILURES = (OSError, smtplib.SMTPException, psycopg.Error, httpx.HTTPError, OutboundRefused)


async def _probe(
    type_: str, provider: str, values: Mapping[str, Any], settings: Settings
) -> bool | None:
    """True: connected; None: no client for this provider. Raises one of _FAILURES."""
    if provider == "smtp":
        await asyncio.to_thread(_smtp_noop, values)
    elif type_ == "messaging":
        outgoing = Outgoing("HEAD", str(values["webhook_url"]))
        await send(
            outgoing,
            allow_loopback=settings.automation_allow_loopback,
            timeout=PROBE_SECONDS,
            max_bytes=65_536,
            follow_redirects=False,
        )
    elif provider == "postgresql":
        async with await psycopg.AsyncConnection.connect(
            str(values["dsn"]), connect_timeout=int(PROBE_SECONDS)
        ) as connection:
            await connection.execute("SELECT 1")
    else:
        return None
    return True


def _smtp_noop(values: Mapping[str, Any]) -> None:
    with smtp_client.session(values, PROBE_SECONDS) as smtp:
        smtp.noop()


async def check(
    connection: Conn,
    origin: RequestOrigin,
    user_id: uuid.UUID,
    integration_id: uuid.UUID,
    settings: Settings,
) -> None:
    organization_id = await managed(connection, user_id, integration_id)
    found = await integrations.credentials(connection, integration_id)
    assert found is not None
    secrets = json.loads(vault_of(settings).decrypt(found.secrets)) if found.secrets else {}
    try:
        connected = await _probe(
            found.type, found.provider, {**found.configuration, **secrets}, settings
        )
        message = "connected" if connected else f"no connection test for {found.provider}"
    except _FAILURES as error:
        connected, message = False, type(error).__name__
    health = {
        "overall": {True: "healthy", False: "unhealthy", None: "unknown"}[connected],
        "api_connection": {True: "connected", False: "failed", None: "not_checked"}[connected],
        "last_check": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "message": message,
    }
    status = IntegrationStatus.ERROR if connected is False else IntegrationStatus.CONFIGURED
    async with connection.transaction():
        await managed(connection, user_id, integration_id)
        await integrations.set_health(connection, integration_id, health, status)
        details = {"overall": health["overall"]}
        await record_action(
            connection,
            origin,
            user_id,
            organization_id,
            "integration.test",
            integration_id,
            details,
        )
