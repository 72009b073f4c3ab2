"""Activating a workflow turns its trigger on: its webhook answers, its cron ticks are
written, its events start it. Seed 004's checks come first: the graph must validate
(AUTO_002, 003, 004, 007: validation.raise_if_invalid) and the caller's role must allow
every node (node_types.required_permission), since the unattended triggers then run the
workflow on the activator's behalf (`activated_by`).

A webhook workflow gets its secret at its first activation, shown once in the answer, and
a new one on demand (`renew_webhook_secret`): the caller must be allowed every node there
too, since the secret lets its holder run them.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime

from control_plane.automation.engine.nodes import NodeServices
from control_plane.automation.errors import INVALID_DATA
from control_plane.automation.models.common import TriggerType, WorkflowStatus
from control_plane.automation.models.triggers import (
    ActivationPublic,
    DeactivationPublic,
    WebhookSecretPublic,
)
from control_plane.automation.queries import graphs, triggers
from control_plane.automation.queries.triggers import CronWorkflow, Trigger
from control_plane.automation.services import cron, validation
from control_plane.automation.services.access import authorize_nodes, authorize_workflow
from control_plane.automation.services.workflows import webhook_url
from control_plane.config import Settings, vault_of
from control_plane.db import Conn
from control_plane.errors import ApiError
from control_plane.foundation.models import Role
from control_plane.foundation.permissions import Permission
from control_plane.foundation.services.audit import RequestOrigin, record_action


def new_webhook_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


async def _authorized(
    connection: Conn, user_id: uuid.UUID, workflow_id: uuid.UUID
) -> tuple[uuid.UUID, Role, Trigger]:
    """The workflow's organisation, the caller's role there, and the workflow locked."""
    organization_id, role = await authorize_workflow(
        connection, user_id, workflow_id, Permission.WORKFLOWS_BASIC
    )
    workflow = await triggers.one(connection, workflow_id, lock=True)
    assert workflow is not None  # found by authorize_workflow, deleted with its row lock
    return organization_id, role, workflow


async def _authorize_every_node(connection: Conn, role: Role, workflow_id: uuid.UUID) -> None:
    graph = await graphs.load(connection, workflow_id)
    assert graph is not None
    authorize_nodes(role, ((node.node_type, node.config) for node in graph.nodes))


async def activate(
    connection: Conn,
    origin: RequestOrigin,
    user_id: uuid.UUID,
    workflow_id: uuid.UUID,
    services: NodeServices,
) -> ActivationPublic:
    public_url = services.settings.public_url
    async with connection.transaction():
        organization_id, role, workflow = await _authorized(connection, user_id, workflow_id)
        report = await validation.validate(
            connection, workflow_id, organization_id, services=services
        )
        validation.raise_if_invalid(report)
        await _authorize_every_node(connection, role, workflow_id)
        is_webhook = workflow.trigger_type == TriggerType.WEBHOOK
        secret = new_webhook_secret() if is_webhook and workflow.webhook_secret is None else None
        encrypted = vault_of(services.settings).encrypt(secret) if secret else None
        is_cron = workflow.trigger_type == TriggerType.CRON
        status = WorkflowStatus.SCHEDULED if is_cron else WorkflowStatus.ACTIVE
        activated_at = await triggers.activate(connection, workflow_id, status, user_id, encrypted)
        if is_cron:  # its first ticks now, not at the dispatcher's next pass
            schedule = CronWorkflow(
                workflow_id, str(workflow.trigger_config["cron"]), user_id, activated_at
            )
            await cron.schedule_coming(connection, schedule, datetime.now(UTC))
        await record_action(
            connection, origin, user_id, organization_id, "workflow.activate", workflow_id,
            {"status": status, "webhook_secret_made": secret is not None},
        )  # fmt: skip
    return ActivationPublic(
        message="Workflow activé avec succès",
        workflow_id=workflow_id,
        status=status,
        activated_at=activated_at,
        webhook_url=webhook_url(public_url, workflow_id) if is_webhook else None,
        webhook_secret=secret,
    )


async def deactivate(
    connection: Conn, origin: RequestOrigin, user_id: uuid.UUID, workflow_id: uuid.UUID
) -> DeactivationPublic:
    """Turn the trigger off; the cron ticks written ahead are dropped and their waiting
    executions cancelled. Executions already running go on."""
    async with connection.transaction():
        organization_id, _, _ = await _authorized(connection, user_id, workflow_id)
        deactivated_at = await triggers.deactivate(connection, workflow_id)
        await cron.cancel_coming(connection, workflow_id)
        await record_action(
            connection, origin, user_id, organization_id, "workflow.deactivate", workflow_id
        )
    return DeactivationPublic(
        message="Workflow désactivé",
        workflow_id=workflow_id,
        status=WorkflowStatus.INACTIVE,
        deactivated_at=deactivated_at,
    )


async def renew_webhook_secret(
    connection: Conn,
    origin: RequestOrigin,
    user_id: uuid.UUID,
    workflow_id: uuid.UUID,
    settings: Settings,
) -> WebhookSecretPublic:
    """A new secret for a webhook workflow, shown once; the old one stops working."""
    async with connection.transaction():
        organization_id, role, workflow = await _authorized(connection, user_id, workflow_id)
        if workflow.trigger_type != TriggerType.WEBHOOK:
            raise ApiError(INVALID_DATA, {"trigger_type": "Only a webhook workflow has a secret."})
        await _authorize_every_node(connection, role, workflow_id)
        secret = new_webhook_secret()
        await triggers.set_secret(connection, workflow_id, vault_of(settings).encrypt(secret))
        await record_action(
            connection, origin, user_id, organization_id, "workflow.webhook_secret", workflow_id
        )
    return WebhookSecretPublic(
        workflow_id=workflow_id,
        webhook_url=webhook_url(settings.public_url, workflow_id),
        webhook_secret=secret,
    )
