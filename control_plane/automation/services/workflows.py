"""Workflows of a project: at most 50 a project, a trigger config checked against its
trigger type, deletion with everything the workflow holds."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import ValidationError

from control_plane.automation.errors import INVALID_DATA
from control_plane.automation.models.common import (
    TriggerType,
    WorkflowSettings,
    WorkflowStatus,
)
from control_plane.automation.models.workflows import (
    TRIGGER_CONFIGS,
    ProjectRef,
    WorkflowCreate,
    WorkflowPublic,
    WorkflowUpdate,
)
from control_plane.automation.queries import nodes, workflows
from control_plane.automation.queries.workflows import WorkflowRow
from control_plane.automation.services.access import authorize_nodes, authorize_workflow
from control_plane.db import Conn
from control_plane.errors import CONFLICT, LIMIT_REACHED, ApiError
from control_plane.foundation.permissions import Permission
from control_plane.foundation.services.audit import RequestOrigin, record_action
from control_plane.jobs import cancel as cancel_job
from control_plane.studio.services.access import authorize_project

MAX_PER_PROJECT = 50
_FIRING = (WorkflowStatus.ACTIVE, WorkflowStatus.SCHEDULED)


def webhook_url(public_url: str, workflow_id: uuid.UUID) -> str:
    return f"{public_url.rstrip('/')}/api/v1/automation/workflows/{workflow_id}/trigger/"


def public(row: WorkflowRow, public_url: str) -> WorkflowPublic:
    trigger_config = dict(row.trigger_config)
    if row.trigger_type == TriggerType.WEBHOOK:
        trigger_config["webhook_url"] = webhook_url(public_url, row.id)
    return WorkflowPublic(
        id=row.id,
        tracking_id=row.id,
        name=row.name,
        description=row.description,
        project=ProjectRef(tracking_id=row.project_id, name=row.project_name),
        status=WorkflowStatus(row.status),
        trigger_type=TriggerType(row.trigger_type),
        trigger_config=trigger_config,
        settings=WorkflowSettings.model_validate(row.settings),
        nodes_count=row.nodes_count,
        edges_count=row.edges_count,
        executions_count=row.executions_count,
        success_rate=row.success_rate,
        last_executed=row.last_executed,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def checked_trigger_config(trigger_type: TriggerType, config: dict[str, Any]) -> dict[str, Any]:
    """The config as stored (defaults filled in); AUTO_007 naming each bad key otherwise."""
    try:
        model = TRIGGER_CONFIGS[trigger_type].model_validate(config)
    except ValidationError as error:
        details = {
            ".".join(["trigger_config", *map(str, issue["loc"])]): issue["msg"]
            for issue in error.errors()
        }
        raise ApiError(INVALID_DATA, details) from None
    return model.model_dump(mode="json", exclude_none=True)


async def create(
    connection: Conn,
    origin: RequestOrigin,
    user_id: uuid.UUID,
    body: WorkflowCreate,
    public_url: str,
) -> WorkflowPublic:
    workflow_id = uuid.uuid4()
    trigger_config = checked_trigger_config(body.trigger_type, body.trigger_config)
    async with connection.transaction():
        organization_id = await authorize_project(
            connection, user_id, body.project, Permission.WORKFLOWS_BASIC
        )
        await workflows.lock_project(connection, body.project)
        if await workflows.count_of_project(connection, body.project) >= MAX_PER_PROJECT:
            raise ApiError(
                LIMIT_REACHED,
                {"project": f"A project has at most {MAX_PER_PROJECT} workflows."},
            )
        values = {
            "project": body.project,
            "name": body.name,
            "description": body.description,
            "trigger_type": body.trigger_type,
            "trigger_config": trigger_config,
            "settings": body.settings.model_dump(mode="json"),
        }
        await workflows.insert(connection, workflow_id, organization_id, user_id, values)
        await record_action(
            connection, origin, user_id, organization_id, "workflow.create", workflow_id
        )
        return await one(connection, workflow_id, public_url)


async def update(
    connection: Conn,
    origin: RequestOrigin,
    user_id: uuid.UUID,
    workflow_id: uuid.UUID,
    body: WorkflowUpdate,
    public_url: str,
) -> WorkflowPublic:
    changes: dict[str, Any] = body.model_dump(mode="json", exclude_unset=True, exclude_none=True)
    async with connection.transaction():
        organization_id, _ = await authorize_workflow(
            connection, user_id, workflow_id, Permission.WORKFLOWS_BASIC
        )
        current = await workflows.one(connection, workflow_id)
        assert current is not None
        if current.status in _FIRING and changes.keys() & {
            "status",
            "trigger_type",
            "trigger_config",
        }:
            raise ApiError(
                CONFLICT,
                {"status": "The workflow is active: deactivate it first (/deactivate/)."},
            )
        if "trigger_type" in changes or "trigger_config" in changes:
            trigger_type = TriggerType(changes.get("trigger_type", current.trigger_type))
            kept = current.trigger_config if trigger_type == current.trigger_type else {}
            config = changes.get("trigger_config", kept)
            changes["trigger_config"] = checked_trigger_config(trigger_type, config)
        await workflows.update(connection, workflow_id, changes)
        await record_action(
            connection,
            origin,
            user_id,
            organization_id,
            "workflow.update",
            workflow_id,
            {"fields": sorted(body.model_dump(exclude_unset=True))},
        )
        return await one(connection, workflow_id, public_url)


async def delete(
    connection: Conn, origin: RequestOrigin, user_id: uuid.UUID, workflow_id: uuid.UUID
) -> None:
    """Delete the workflow with its nodes, edges and executions (seed 004); executions in
    progress are stopped: their jobs cancelled in the same transaction (a running one is
    interrupted at its next await, a waiting one dropped from the queue), and an inline
    run finds its run gone at its next write."""
    async with connection.transaction():
        organization_id, role = await authorize_workflow(
            connection, user_id, workflow_id, Permission.WORKFLOWS_BASIC
        )
        authorize_nodes(role, await nodes.types_of_workflow(connection, workflow_id))
        for job_id in await workflows.running_jobs(connection, workflow_id):
            await cancel_job(connection, job_id)
        await workflows.delete(connection, workflow_id)
        await record_action(
            connection, origin, user_id, organization_id, "workflow.delete", workflow_id
        )


async def one(connection: Conn, workflow_id: uuid.UUID, public_url: str) -> WorkflowPublic:
    row = await workflows.one(connection, workflow_id)
    assert row is not None
    return public(row, public_url)
