"""Seed 003's automatic flow: "the system creates workflows when a project is created".
Each new project gets the workflows of DEFAULTS, in its creation's transaction (a project
never exists without them, and a refused creation leaves none), active on behalf of its
creator, marked by `default_key`; they are ordinary workflows afterwards: edited,
deactivated or deleted like any other.

- `notify_failed_deployment`: on `app.deployment_failed` of the project, an email to the
  project's creator through the platform's mail outbox (no integration to configure).
"""

from __future__ import annotations

import uuid
from typing import Any

from control_plane.automation.models.common import TriggerType, WorkflowSettings
from control_plane.automation.node_types import ActionType, NodeType
from control_plane.automation.queries import edges, nodes, triggers, workflows
from control_plane.db import Conn
from control_plane.events import APP_DEPLOYMENT_FAILED
from control_plane.foundation.queries import users

NOTIFY_FAILED_DEPLOYMENT = "notify_failed_deployment"

_FAILED_DEPLOYMENT_BODY = """\
The deployment of {{input_data.app_name}} to {{input_data.environment}} failed.

{{input_data.error_code}}: {{input_data.error_message}}

Its log: GET /api/v1/runtime/deployment-logs/{{input_data.deployment_id}}/
"""


def _node(name: str, node_type: NodeType, x: int, config: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "node_type": node_type,
        "position": {"x": x, "y": 100},
        "config": config,
        "inputs": [],
        "outputs": [],
        "safe_to_repeat": False,
    }


async def create_for_project(
    connection: Conn, organization_id: uuid.UUID, project_id: uuid.UUID, creator_id: uuid.UUID
) -> None:
    """The project's default workflows, in the caller's transaction."""
    email = await users.email_of(connection, creator_id)
    assert email is not None  # the creator is the caller
    workflow_id = uuid.uuid4()
    await workflows.insert(
        connection,
        workflow_id,
        organization_id,
        creator_id,
        {
            "project": project_id,
            "name": "Notify on failed deployment",
            "description": "Emails the project's creator when a deployment of its app fails.",
            "trigger_type": TriggerType.EVENT,
            "trigger_config": {"event": APP_DEPLOYMENT_FAILED},
            "settings": WorkflowSettings().model_dump(mode="json"),
        },
    )
    trigger = _node(
        "Deployment failed",
        NodeType.TRIGGER,
        50,
        {"trigger_type": TriggerType.EVENT, "event": APP_DEPLOYMENT_FAILED},
    )
    email_node = _node(
        "Email the project's creator",
        NodeType.ACTION,
        300,
        {
            "action_type": ActionType.SEND_EMAIL,
            "recipient": email,
            "subject": "Deployment of {{input_data.app_name}} failed",
            "body": _FAILED_DEPLOYMENT_BODY,
        },
    )
    trigger_id, email_id = uuid.uuid4(), uuid.uuid4()
    await nodes.insert(connection, trigger_id, workflow_id, trigger)
    await nodes.insert(connection, email_id, workflow_id, email_node)
    edge: dict[str, Any] = {
        "source": trigger_id,
        "target": email_id,
        "condition": None,
        "label": "",
        "style": {},
    }
    await edges.insert(connection, uuid.uuid4(), workflow_id, edge)
    await triggers.set_default(connection, workflow_id, NOTIFY_FAILED_DEPLOYMENT, creator_id)
