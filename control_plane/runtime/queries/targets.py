"""SQL of `runtime_targets`: an organisation's SSH hosts. The key is read only by the
deployment job (`Credentials`), never into a public row."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from psycopg import sql

from control_plane.db import Conn, fetch_all, fetch_one, fetch_value
from control_plane.pagination import Listing
from control_plane.runtime.models.deployments import TargetPublic


@dataclass(frozen=True)
class Credentials:
    """What the deployment job needs to reach a target."""

    id: uuid.UUID
    host: str
    port: int
    username: str
    private_key: bytes | None  # encrypted
    app_port: int
    apps_root: str


_PUBLIC = sql.SQL("""
id, organization_id, name, host, port, username, private_key IS NOT NULL
AS private_key_configured, app_port, apps_root, environments, created_at, updated_at
""")

OF_ORGANIZATION = Listing(
    row=TargetPublic,
    columns=_PUBLIC,
    source=sql.SQL("FROM runtime_targets WHERE organization_id = %(organization)s"),
    order=sql.SQL("name, id"),
)

ONE = sql.SQL("SELECT {columns} FROM runtime_targets WHERE id = %(target)s").format(columns=_PUBLIC)

# Another target of the organisation already listing one of these environments.
CLAIMING = """
SELECT name FROM runtime_targets
WHERE organization_id = %(organization)s AND environments && %(environments)s::text[]
  AND id IS DISTINCT FROM %(target)s
ORDER BY name
"""

OF_ENVIRONMENT = """
SELECT id, host, port, username, private_key, app_port, apps_root FROM runtime_targets
WHERE organization_id = %(organization)s AND %(environment)s = ANY (environments)
"""

CREDENTIALS = """
SELECT id, host, port, username, private_key, app_port, apps_root FROM runtime_targets
WHERE id = %(target)s
"""

# Every target with a key, of every organisation: those Insights reads the resources of.
WITH_KEYS = """
SELECT id, host, port, username, private_key, app_port, apps_root FROM runtime_targets
WHERE private_key IS NOT NULL
"""

INSERT = """
INSERT INTO runtime_targets
    (organization_id, name, host, port, username, private_key, app_port, apps_root, environments)
VALUES (%(organization)s, %(name)s, %(host)s, %(port)s, %(username)s, %(private_key)s,
        %(app_port)s, %(apps_root)s, %(environments)s)
RETURNING id
"""

# A field given as None keeps its value.
UPDATE = """
UPDATE runtime_targets SET name = coalesce(%(name)s, name), host = coalesce(%(host)s, host),
    port = coalesce(%(port)s, port), username = coalesce(%(username)s, username),
    private_key = coalesce(%(private_key)s, private_key),
    app_port = coalesce(%(app_port)s, app_port), apps_root = coalesce(%(apps_root)s, apps_root),
    environments = coalesce(%(environments)s, environments), updated_at = now()
WHERE id = %(target)s
"""

DELETE = "DELETE FROM runtime_targets WHERE id = %(target)s"

# Apps served from the target: deleting it would leave them unreachable.
SERVING = """
SELECT count(*) FROM runtime_instances WHERE target_id = %(target)s
"""


async def one(connection: Conn, target_id: uuid.UUID) -> TargetPublic | None:
    return await fetch_one(connection, TargetPublic, ONE, {"target": target_id})


async def claiming(
    connection: Conn,
    organization_id: uuid.UUID,
    environments: list[str],
    target_id: uuid.UUID | None,
) -> list[str]:
    """Names of the organisation's other targets that list one of `environments`."""
    values = {"organization": organization_id, "environments": environments, "target": target_id}
    async with connection.cursor() as cursor:
        await cursor.execute(CLAIMING, values)
        return [str(row[0]) for row in await cursor.fetchall()]


async def of_environment(
    connection: Conn, organization_id: uuid.UUID, environment: str
) -> Credentials | None:
    values = {"organization": organization_id, "environment": environment}
    return await fetch_one(connection, Credentials, OF_ENVIRONMENT, values)


async def credentials(connection: Conn, target_id: uuid.UUID) -> Credentials | None:
    return await fetch_one(connection, Credentials, CREDENTIALS, {"target": target_id})


async def with_keys(connection: Conn) -> list[Credentials]:
    return await fetch_all(connection, Credentials, WITH_KEYS, {})


async def insert(connection: Conn, organization_id: uuid.UUID, values: dict[str, Any]) -> uuid.UUID:
    target_id = await fetch_value(
        connection, uuid.UUID, INSERT, {**values, "organization": organization_id}
    )
    assert target_id is not None
    return target_id


async def update(connection: Conn, target_id: uuid.UUID, changes: dict[str, Any]) -> None:
    fields = ("name", "host", "port", "username", "private_key", "app_port", "apps_root")
    values = {name: changes.get(name) for name in (*fields, "environments")}
    await connection.execute(UPDATE, {**values, "target": target_id})


async def delete(connection: Conn, target_id: uuid.UUID) -> None:
    await connection.execute(DELETE, {"target": target_id})


async def serving(connection: Conn, target_id: uuid.UUID) -> int:
    return await fetch_value(connection, int, SERVING, {"target": target_id}) or 0
