"""SQL of `automation_integrations`. The encrypted secrets are read only by `credentials`
(for the executors and the connection test), never into a public row."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg import sql
from psycopg.types.json import Jsonb

from control_plane.db import Conn, fetch_one, fetch_value
from control_plane.pagination import Listing


@dataclass(frozen=True)
class IntegrationRow:
    id: uuid.UUID
    organization_id: uuid.UUID
    name: str
    type: str
    provider: str
    status: str
    description: str
    configuration: dict[str, Any]
    secret_keys: list[str]
    settings: dict[str, Any]
    health: dict[str, Any] | None
    used_today: int
    used_this_month: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class Credentials:
    """What an executor needs: the integration's settings and its encrypted secrets."""

    id: uuid.UUID
    organization_id: uuid.UUID
    type: str
    provider: str
    status: str
    configuration: dict[str, Any]
    secrets: bytes | None


# Node runs that used it: successful steps of live executions (not dry runs) of nodes
# whose config names it (usage_statistics).
_USED_SINCE = """
(SELECT count(*) FROM run_steps AS s JOIN automation_nodes AS n ON n.id = s.node_id
 JOIN automation_executions AS e ON e.run_id = s.run_id AND e.mode = 'live'
 WHERE n.config ->> 'integration' = i.id::text AND s.status = 'success'
   AND s.started_at >= date_trunc({unit}, now()))
"""
_COLUMNS = sql.SQL("""
i.id, i.organization_id, i.name, i.type, i.provider, i.status, i.description,
i.configuration, i.secret_keys, i.settings, i.health,
{today} AS used_today, {month} AS used_this_month, i.created_at, i.updated_at
""").format(
    today=sql.SQL(_USED_SINCE).format(unit=sql.Literal("day")),
    month=sql.SQL(_USED_SINCE).format(unit=sql.Literal("month")),
)

OF_ORGANIZATION = Listing(
    row=IntegrationRow,
    columns=_COLUMNS,
    source=sql.SQL("FROM automation_integrations AS i WHERE i.organization_id = %(organization)s"),
    order=sql.SQL("i.created_at DESC, i.id"),
)

ONE = sql.SQL("SELECT {columns} FROM automation_integrations AS i WHERE i.id = %(id)s").format(
    columns=_COLUMNS
)

ORGANIZATION_OF = "SELECT organization_id FROM automation_integrations WHERE id = %(id)s"

CREDENTIALS = """
SELECT id, organization_id, type, provider, status, configuration, secrets
FROM automation_integrations WHERE id = %(id)s
"""

INSERT = """
INSERT INTO automation_integrations (organization_id, name, type, provider, description,
    configuration, secrets, secret_keys, settings, created_by)
VALUES (%(organization)s, %(name)s, %(type)s, %(provider)s, %(description)s,
    %(configuration)s, %(secrets)s, %(secret_keys)s, %(settings)s, %(created_by)s)
RETURNING id
"""

UPDATE = """
UPDATE automation_integrations SET name = %(name)s, description = %(description)s,
    status = %(status)s, configuration = %(configuration)s, secrets = %(secrets)s,
    secret_keys = %(secret_keys)s, settings = %(settings)s, updated_at = now()
WHERE id = %(id)s
"""

SET_HEALTH = """
UPDATE automation_integrations SET health = %(health)s,
    status = CASE WHEN status = 'disabled' THEN status ELSE %(status)s END
WHERE id = %(id)s
"""

DELETE = "DELETE FROM automation_integrations WHERE id = %(id)s"


async def one(connection: Conn, integration_id: uuid.UUID) -> IntegrationRow | None:
    return await fetch_one(connection, IntegrationRow, ONE, {"id": integration_id})


async def organization_of(connection: Conn, integration_id: uuid.UUID) -> uuid.UUID | None:
    return await fetch_value(connection, uuid.UUID, ORGANIZATION_OF, {"id": integration_id})


async def credentials(connection: Conn, integration_id: uuid.UUID) -> Credentials | None:
    return await fetch_one(connection, Credentials, CREDENTIALS, {"id": integration_id})


async def insert(connection: Conn, values: dict[str, Any]) -> uuid.UUID:
    stored = {**values, "configuration": Jsonb(values["configuration"])}
    stored["settings"] = Jsonb(values["settings"])
    integration_id = await fetch_value(connection, uuid.UUID, INSERT, stored)
    assert integration_id is not None
    return integration_id


async def update(connection: Conn, integration_id: uuid.UUID, values: dict[str, Any]) -> None:
    stored = {**values, "configuration": Jsonb(values["configuration"])}
    stored["settings"] = Jsonb(values["settings"])
    await connection.execute(UPDATE, {**stored, "id": integration_id})


async def set_health(
    connection: Conn, integration_id: uuid.UUID, health: dict[str, Any], status: str
) -> None:
    values = {"id": integration_id, "health": Jsonb(health), "status": status}
    await connection.execute(SET_HEALTH, values)


async def delete(connection: Conn, integration_id: uuid.UUID) -> None:
    await connection.execute(DELETE, {"id": integration_id})
