"""SQL of a workflow's trigger in `automation_workflows`: activation, the webhook secret,
and the workflows that cron ticks fire."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from control_plane.db import Conn, fetch_all, fetch_one, fetch_value


@dataclass(frozen=True)
class Trigger:
    """What firing a workflow needs to know of it."""

    id: uuid.UUID
    organization_id: uuid.UUID
    status: str
    trigger_type: str
    trigger_config: dict[str, Any]
    webhook_secret: bytes | None  # encrypted
    activated_by: uuid.UUID | None
    activated_at: datetime | None


@dataclass(frozen=True)
class CronWorkflow:
    id: uuid.UUID
    cron: str
    activated_by: uuid.UUID | None
    activated_at: datetime


_COLUMNS = """
id, organization_id, status, trigger_type, trigger_config, webhook_secret, activated_by,
activated_at
"""

ONE = f"SELECT {_COLUMNS} FROM automation_workflows WHERE id = %(workflow)s"  # noqa: S608

LOCK = f"{ONE} FOR UPDATE"

ACTIVATE = """
UPDATE automation_workflows
SET status = %(status)s, activated_by = %(user)s, activated_at = now(), updated_at = now(),
    webhook_secret = coalesce(%(secret)s, webhook_secret)
WHERE id = %(workflow)s
RETURNING activated_at
"""

DEACTIVATE = """
UPDATE automation_workflows SET status = 'inactive', updated_at = now()
WHERE id = %(workflow)s
RETURNING updated_at
"""

SET_SECRET = """
UPDATE automation_workflows SET webhook_secret = %(secret)s, updated_at = now()
WHERE id = %(workflow)s
"""

# An active cron workflow, locked against its deactivation while its ticks are written
# (its row's status is read again once a deactivation that held it commits).
_CRON = """
SELECT id, trigger_config->>'cron' AS cron, activated_by, activated_at
FROM automation_workflows
WHERE trigger_type = 'cron' AND status = 'scheduled' AND activated_at IS NOT NULL
"""
CRON_WORKFLOWS = f"{_CRON} ORDER BY id"
LOCK_CRON_WORKFLOW = f"{_CRON} AND id = %(workflow)s FOR SHARE"

SET_DEFAULT = """
UPDATE automation_workflows
SET default_key = %(key)s, status = 'active', activated_by = %(user)s, activated_at = now()
WHERE id = %(workflow)s
"""


async def one(connection: Conn, workflow_id: uuid.UUID, *, lock: bool = False) -> Trigger | None:
    return await fetch_one(connection, Trigger, LOCK if lock else ONE, {"workflow": workflow_id})


async def activate(
    connection: Conn,
    workflow_id: uuid.UUID,
    status: str,
    user_id: uuid.UUID,
    secret: bytes | None,
) -> datetime:
    """Set the status and who activated it now; a new `secret`, when given."""
    values = {"workflow": workflow_id, "status": status, "user": user_id, "secret": secret}
    activated_at = await fetch_value(connection, datetime, ACTIVATE, values)
    assert activated_at is not None  # the caller holds the row
    return activated_at


async def deactivate(connection: Conn, workflow_id: uuid.UUID) -> datetime:
    deactivated_at = await fetch_value(connection, datetime, DEACTIVATE, {"workflow": workflow_id})
    assert deactivated_at is not None  # the caller holds the row
    return deactivated_at


async def set_secret(connection: Conn, workflow_id: uuid.UUID, secret: bytes) -> None:
    await connection.execute(SET_SECRET, {"workflow": workflow_id, "secret": secret})


async def cron_workflows(connection: Conn) -> list[CronWorkflow]:
    return await fetch_all(connection, CronWorkflow, CRON_WORKFLOWS, {})


async def lock_cron_workflow(connection: Conn, workflow_id: uuid.UUID) -> CronWorkflow | None:
    """The workflow if it is still an active cron workflow, locked until the transaction
    ends."""
    return await fetch_one(connection, CronWorkflow, LOCK_CRON_WORKFLOW, {"workflow": workflow_id})


async def set_default(
    connection: Conn, workflow_id: uuid.UUID, key: str, user_id: uuid.UUID
) -> None:
    """Mark a project's default workflow `key`, active on behalf of `user_id`."""
    values = {"workflow": workflow_id, "key": key, "user": user_id}
    await connection.execute(SET_DEFAULT, values)
