"""`/workflows/`: the seed's shapes, filters, the trigger configs, the 50-per-project
limit, updates, deletion with everything the workflow holds, roles and isolation."""

from __future__ import annotations

import uuid
from typing import Any

from tests.control_plane.automation.conftest import Automation
from tests.control_plane.conftest import Api, assert_error
from tests.control_plane.studio.conftest import Team

SETTINGS = {
    "timeout_seconds": 300,
    "retry_on_failure": True,
    "max_retries": 3,
    "notifications": {"on_success": False, "on_failure": True, "email": "admin@company.com"},
}


def test_create_shows_the_seed_shape(automation: Automation, team: Team, project: str) -> None:
    created = automation.workflow(
        team.users["MEMBER"],
        project,
        name="Workflow de Validation Commande",
        description="Valide automatiquement les nouvelles commandes",
        trigger_type="webhook",
        trigger_config={"event": "order.created", "endpoint": "/webhooks/order-validation"},
        settings=SETTINGS,
    )
    workflow_id = created["id"]
    assert created["tracking_id"] == workflow_id
    assert created["project"] == {"tracking_id": project, "name": "Gestion Client"}
    assert created["status"] == "draft"
    assert created["trigger_config"] == {
        "event": "order.created",
        "endpoint": "/webhooks/order-validation",
        "respond": "immediately",
        "webhook_url": f"http://cp.test/api/v1/automation/workflows/{workflow_id}/trigger/",
    }
    assert created["settings"] == SETTINGS
    assert (created["nodes_count"], created["edges_count"], created["executions_count"]) == (
        0,
        0,
        0,
    )
    assert created["success_rate"] is None and created["last_executed"] is None
    stored = automation.api.query(
        "SELECT trigger_config FROM automation_workflows WHERE id = %s", uuid.UUID(workflow_id)
    )
    assert "webhook_url" not in stored[0][0]
    shown = automation.request("GET", f"/workflows/{workflow_id}/", team.users["CLIENT"])
    assert_error(shown, 403, "PERMISSION_DENIED")
    shown = automation.request("GET", f"/workflows/{workflow_id}/", team.users["MEMBER"])
    assert shown.status_code == 200, shown.text
    assert shown.json() == {**created, "statistics": None}
