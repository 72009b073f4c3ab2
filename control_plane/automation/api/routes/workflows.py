"""`/workflows/`: the workflows of the caller's projects (seed 004). Another organisation's
workflow answers AUTO_001, exactly as a missing one."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, status

from control_plane.automation.models.common import TriggerType, WorkflowStatus
from control_plane.automation.models.workflows import (
    WorkflowCreate,
    WorkflowPublic,
    WorkflowUpdate,
)
from control_plane.automation.queries import workflows as queries
from control_plane.automation.services import execution_records, workflows
from control_plane.automation.services.access import authorize_workflow
from control_plane.foundation.api.deps import AppSettings, Caller, Connection, Origin, Pagination
from control_plane.foundation.models import Role
from control_plane.foundation.permissions import Permission, allowed
from control_plane.pagination import Page, fetch_page
from control_plane.studio.services.access import authorize_project

router = APIRouter(prefix="/workflows", tags=["automation workflows"])

_READERS = [role.value for role in Role if allowed(role, Permission.AUTOMATION_READ)]


@router.get("/")
async def list_workflows(
    caller: Caller,
    request: Request,
    connection: Connection,
    pagination: Pagination,
    settings: AppSettings,
    project: uuid.UUID | None = None,
    status: WorkflowStatus | None = None,
    trigger_type: TriggerType | None = None,
) -> Page[WorkflowPublic]:
    """The workflows of the caller's organisations where their role may read them."""
    if project is not None:
        await authorize_project(connection, caller.id, project, Permission.AUTOMATION_READ)
    values = {
        "user": caller.id,
        "roles": _READERS,
        "project": project,
        "status": status,
        "trigger_type": trigger_type,
    }
    page = await fetch_page(connection, request, pagination, queries.OF_MEMBER, values)
    return page.map(lambda row: workflows.public(row, settings.public_url))


@router.post("/", status_code=status.HTTP_201_CREATED)
async def create_workflow(
    body: WorkflowCreate,
    caller: Caller,
    origin: Origin,
    connection: Connection,
    settings: AppSettings,
) -> WorkflowPublic:
    return await workflows.create(connection, origin, caller.id, body, settings.public_url)


@router.get("/{workflow_id}/")
async def get_workflow(
    workflow_id: uuid.UUID, caller: Caller, connection: Connection, settings: AppSettings
) -> WorkflowPublic:
    await authorize_workflow(connection, caller.id, workflow_id, Permission.AUTOMATION_READ)
    workflow = await workflows.one(connection, workflow_id, settings.public_url)
    statistics = await execution_records.statistics_summary(connection, workflow_id)
    return workflow.model_copy(update={"statistics": statistics})


@router.put("/{workflow_id}/")
@router.patch("/{workflow_id}/")
async def update_workflow(
    workflow_id: uuid.UUID,
    body: WorkflowUpdate,
    caller: Caller,
    origin: Origin,
    connection: Connection,
    settings: AppSettings,
) -> WorkflowPublic:
    """Change the keys given; `status` only between draft and inactive (/activate/ makes
    a workflow active)."""
    return await workflows.update(
        connection, origin, caller.id, workflow_id, body, settings.public_url
    )


@router.delete("/{workflow_id}/", status_code=status.HTTP_204_NO_CONTENT)
async def delete_workflow(
    workflow_id: uuid.UUID, caller: Caller, origin: Origin, connection: Connection
) -> None:
    """Delete the workflow with its nodes, edges and executions."""
    await workflows.delete(connection, origin, caller.id, workflow_id)
