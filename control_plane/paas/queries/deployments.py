"""SQL of `paas_deployments`: one row per deployment, kept after its machine is gone."""

from __future__ import annotations

import ipaddress
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg import sql

from control_plane.db import Conn, fetch_all, fetch_one
from control_plane.paas.models import DeploymentStatus, DeploymentType, SourceKind


@dataclass(frozen=True)
class NewDeployment:
    """A deployment as asked for, checked."""

    organization_id: uuid.UUID
    name: str
    deployment_type: DeploymentType
    framework: str
    source_kind: SourceKind
    source: str
    app_id: uuid.UUID | None
    cores: int
    memory: int
    disk: int


@dataclass(frozen=True)
class Deployment(NewDeployment):
    """A deployment's row (built by keyword: class_row)."""

    id: uuid.UUID
    status: DeploymentStatus
    vm_id: int
    machine_name: str
    ip_address: ipaddress.IPv4Address | None
    address_held: bool
    port: int | None
    access_url: str | None
    commit: str | None
    ssh_private_key: bytes | None
    jwt_secret: bytes | None
    error_message: str | None
    created_at: datetime
    deployed_at: datetime | None

    def __post_init__(self) -> None:  # the row's text as the enums it is
        object.__setattr__(self, "deployment_type", DeploymentType(self.deployment_type))
        object.__setattr__(self, "source_kind", SourceKind(self.source_kind))
        object.__setattr__(self, "status", DeploymentStatus(self.status))


@dataclass(frozen=True)
class StatusCount:
    status: DeploymentStatus
    count: int
    cores: int
    memory: int
    disk: int
    machines: int  # that exist: their resources are in use

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", DeploymentStatus(self.status))


_COLUMNS = sql.SQL("""
id, organization_id, name, deployment_type, framework, source_kind, source, app_id, cores,
memory, disk, status, vm_id, machine_name, ip_address, address_held, port, access_url, commit,
ssh_private_key, jwt_secret, error_message, created_at, deployed_at
""")

# Machine names are the prefix and the vm_id: unique, and valid host names.
INSERT = sql.SQL("""
WITH number AS (SELECT nextval('paas_vm_ids') AS vm_id)
INSERT INTO paas_deployments (
    organization_id, name, deployment_type, framework, source_kind, source, app_id, cores,
    memory, disk, vm_id, machine_name, created_by
)
SELECT %(organization)s, %(name)s, %(deployment_type)s, %(framework)s, %(source_kind)s,
       %(source)s, %(app)s, %(cores)s, %(memory)s, %(disk)s, number.vm_id,
       %(prefix)s || number.vm_id, %(user)s
FROM number
RETURNING {columns}
""").format(columns=_COLUMNS)

ONE = sql.SQL("SELECT {columns} FROM paas_deployments WHERE id = %(deployment)s").format(
    columns=_COLUMNS
)

LOCK = sql.SQL("""
SELECT {columns} FROM paas_deployments WHERE id = %(deployment)s FOR NO KEY UPDATE
""").format(columns=_COLUMNS)

# The organisations where the caller's role is one of `roles`.
_MANAGED = sql.SQL("""
organization_id IN (
    SELECT organization_id FROM memberships WHERE user_id = %(user)s AND role = ANY(%(roles)s)
)
AND (%(organization)s::uuid IS NULL OR organization_id = %(organization)s)
""")

OF_MANAGED = sql.SQL("""
SELECT {columns} FROM paas_deployments WHERE {managed}
  AND (%(status)s::text IS NULL OR status = %(status)s)
ORDER BY created_at DESC, id
""").format(columns=_COLUMNS, managed=_MANAGED)

COUNTS = sql.SQL("""
SELECT status, count(*)::int AS count,
       coalesce(sum(cores) FILTER (WHERE address_held), 0)::int AS cores,
       coalesce(sum(memory) FILTER (WHERE address_held), 0)::int AS memory,
       coalesce(sum(disk) FILTER (WHERE address_held), 0)::int AS disk,
       (count(*) FILTER (WHERE address_held))::int AS machines
FROM paas_deployments WHERE {managed}
GROUP BY status ORDER BY status
""").format(managed=_MANAGED)

SET_STATUS = """
UPDATE paas_deployments SET status = %(status)s, updated_at = now()
WHERE id = %(deployment)s
"""

SET_KEYS = """
UPDATE paas_deployments
SET ssh_public_key = %(public)s, ssh_private_key = %(private)s,
    jwt_secret = coalesce(jwt_secret, %(jwt_secret)s), updated_at = now()
WHERE id = %(deployment)s
"""

SET_SOURCE = """
UPDATE paas_deployments SET commit = %(commit)s, updated_at = now() WHERE id = %(deployment)s
"""

# Serialised by a transaction-scoped advisory lock, so two jobs never pick one address.
LOCK_ADDRESSES = "SELECT pg_advisory_xact_lock(hashtext('paas.addresses'))"

HELD_ADDRESSES = """
SELECT host(ip_address) FROM paas_deployments
WHERE deployment_type = %(deployment_type)s AND address_held AND id <> %(deployment)s
"""

HOLD_ADDRESS = """
UPDATE paas_deployments SET ip_address = %(address)s, address_held = true, updated_at = now()
WHERE id = %(deployment)s
"""

SET_MACHINE = """
UPDATE paas_deployments
SET status = 'deploying', vm_id = %(vm_id)s, ip_address = %(address)s, updated_at = now()
WHERE id = %(deployment)s
"""

SET_RUNNING = """
UPDATE paas_deployments
SET status = 'running', port = %(port)s, access_url = %(access_url)s, error_message = NULL,
    deployed_at = now(), updated_at = now()
WHERE id = %(deployment)s
"""

# A failure after its machine was destroyed gives the address back.
SET_FAILED = """
UPDATE paas_deployments
SET status = 'failed', error_message = %(error)s,
    address_held = address_held AND %(machine_kept)s, updated_at = now()
WHERE id = %(deployment)s
"""

SET_DELETED = """
UPDATE paas_deployments
SET status = 'deleted', address_held = false, deleted_at = now(), updated_at = now()
WHERE id = %(deployment)s
"""

ADD_RUN = "INSERT INTO paas_runs (run_id, deployment_id) VALUES (%(run)s, %(deployment)s)"

RUNS = """
SELECT run_id FROM paas_runs JOIN runs ON runs.id = paas_runs.run_id
WHERE deployment_id = %(deployment)s ORDER BY runs.created_at, runs.id
"""


async def insert(
    connection: Conn, new: NewDeployment, prefix: str, user_id: uuid.UUID
) -> Deployment:
    values = {
        "organization": new.organization_id,
        "name": new.name,
        "deployment_type": new.deployment_type,
        "framework": new.framework,
        "source_kind": new.source_kind,
        "source": new.source,
        "app": new.app_id,
        "cores": new.cores,
        "memory": new.memory,
        "disk": new.disk,
        "prefix": prefix,
        "user": user_id,
    }
    deployment = await fetch_one(connection, Deployment, INSERT, values)
    assert deployment is not None
    return deployment


async def one(connection: Conn, deployment_id: uuid.UUID) -> Deployment | None:
    return await fetch_one(connection, Deployment, ONE, {"deployment": deployment_id})


async def lock(connection: Conn, deployment_id: uuid.UUID) -> Deployment | None:
    """The row, locked until the transaction ends (one state change at a time)."""
    return await fetch_one(connection, Deployment, LOCK, {"deployment": deployment_id})


def _managed(
    user_id: uuid.UUID, roles: list[str], organization_id: uuid.UUID | None
) -> dict[str, Any]:
    return {"user": user_id, "roles": roles, "organization": organization_id}


async def of_managed(
    connection: Conn,
    user_id: uuid.UUID,
    roles: list[str],
    organization_id: uuid.UUID | None,
    status: DeploymentStatus | None,
) -> list[Deployment]:
    values = _managed(user_id, roles, organization_id) | {"status": status}
    return await fetch_all(connection, Deployment, OF_MANAGED, values)


async def counts(
    connection: Conn, user_id: uuid.UUID, roles: list[str], organization_id: uuid.UUID | None
) -> list[StatusCount]:
    values = _managed(user_id, roles, organization_id)
    return await fetch_all(connection, StatusCount, COUNTS, values)


async def set_status(connection: Conn, deployment_id: uuid.UUID, status: DeploymentStatus) -> None:
    await connection.execute(SET_STATUS, {"deployment": deployment_id, "status": status})


async def set_keys(
    connection: Conn,
    deployment_id: uuid.UUID,
    public: str,
    private: bytes,
    jwt_secret: bytes | None,
) -> None:
    values = {
        "deployment": deployment_id,
        "public": public,
        "private": private,
        "jwt_secret": jwt_secret,
    }
    await connection.execute(SET_KEYS, values)


async def set_commit(connection: Conn, deployment_id: uuid.UUID, commit: str) -> None:
    await connection.execute(SET_SOURCE, {"deployment": deployment_id, "commit": commit})


async def held_addresses(
    connection: Conn, deployment_type: DeploymentType, deployment_id: uuid.UUID
) -> set[str]:
    values = {"deployment_type": deployment_type, "deployment": deployment_id}
    async with connection.cursor() as cursor:
        await cursor.execute(HELD_ADDRESSES, values)
        return {str(address) for (address,) in await cursor.fetchall()}


async def lock_addresses(connection: Conn) -> None:
    await connection.execute(LOCK_ADDRESSES)


async def hold_address(
    connection: Conn, deployment_id: uuid.UUID, address: ipaddress.IPv4Address
) -> None:
    await connection.execute(HOLD_ADDRESS, {"deployment": deployment_id, "address": address})


async def set_machine(connection: Conn, deployment_id: uuid.UUID, vm_id: int, address: str) -> None:
    values = {"deployment": deployment_id, "vm_id": vm_id, "address": address}
    await connection.execute(SET_MACHINE, values)


async def set_running(
    connection: Conn, deployment_id: uuid.UUID, port: int, access_url: str
) -> None:
    values = {"deployment": deployment_id, "port": port, "access_url": access_url}
    await connection.execute(SET_RUNNING, values)


async def set_failed(
    connection: Conn, deployment_id: uuid.UUID, error: str, machine_kept: bool
) -> None:
    values = {"deployment": deployment_id, "error": error, "machine_kept": machine_kept}
    await connection.execute(SET_FAILED, values)


async def set_deleted(connection: Conn, deployment_id: uuid.UUID) -> None:
    await connection.execute(SET_DELETED, {"deployment": deployment_id})


async def add_run(connection: Conn, deployment_id: uuid.UUID, run_id: uuid.UUID) -> None:
    await connection.execute(ADD_RUN, {"deployment": deployment_id, "run": run_id})


async def runs(connection: Conn, deployment_id: uuid.UUID) -> list[uuid.UUID]:
    async with connection.cursor() as cursor:
        await cursor.execute(RUNS, {"deployment": deployment_id})
        return [run_id for (run_id,) in await cursor.fetchall()]
