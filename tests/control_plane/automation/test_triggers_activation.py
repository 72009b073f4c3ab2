"""Activating and deactivating workflows (seed 004) on the real server: the answers'
shapes, the webhook secret shown once and renewed, and the refusals (an incomplete
graph, a role that may not run every node, a CLIENT, another organisation), none of which
changes anything."""

from __future__ import annotations

import uuid
from typing import Any

from tests.control_plane.automation.conftest import Automation
from tests.control_plane.automation.triggering import TRANSFORM, call_webhook, webhook_workflow
from tests.control_plane.conftest import Api, assert_error
from tests.control_plane.studio.conftest import Team


def status_of(api: Api, workflow: str) -> tuple[str, Any]:
    [(status, activated_at)] = api.query(
        "SELECT status, activated_at FROM automation_workflows WHERE id = %s",
        uuid.UUID(workflow),
    )
    return str(status), activated_at


def test_activate_and_deactivate_a_webhook_workflow(
    automation: Automation, team: Team, project: str
) -> None:
    member = team.users["MEMBER"]
    workflow = webhook_workflow(automation, team, project)
    response = automation.request("POST", f"/workflows/{workflow.id}/activate/", member)
    assert response.status_code == 200, response.text
    body = response.json()
    url = f"http://cp.test/api/v1/automation/workflows/{workflow.id}/trigger/"
    assert body["message"] == "Workflow activé avec succès"
    assert body["workflow_id"] == workflow.id and body["status"] == "active"
    assert body["activated_at"].endswith("Z") and body["webhook_url"] == url
    secret = body["webhook_secret"]
    assert secret.startswith("whsec_") and len(secret) > 40
    shown = automation.request("GET", f"/workflows/{workflow.id}/", member).json()
    assert shown["status"] == "active" and secret not in str(shown)
    [(stored,)] = automation.api.query(
        "SELECT webhook_secret FROM automation_workflows WHERE id = %s", uuid.UUID(workflow.id)
    )
    assert secret.encode() not in bytes(stored)  # encrypted at rest
    assert call_webhook(automation.api, url, secret, {"name": "Ada"}).status_code == 202

    # Activating again keeps the secret, and does not show it.
    again = automation.request("POST", f"/workflows/{workflow.id}/activate/", member).json()
    assert again["status"] == "active" and again["webhook_secret"] is None

    # A new secret: shown once, the old one refused from then on.
    renewed = automation.request("POST", f"/workflows/{workflow.id}/webhook-secret/", member)
    assert renewed.status_code == 200, renewed.text
    new_secret = renewed.json()["webhook_secret"]
    assert renewed.json() == {"workflow_id": workflow.id, "webhook_url": url,
                              "webhook_secret": new_secret}  # fmt: skip
    assert new_secret != secret
    old = call_webhook(automation.api, url, secret, {"name": "Ada"})
    assert_error(old, 401, "NOT_AUTHENTICATED")
    assert call_webhook(automation.api, url, new_secret, {"name": "Ada"}).status_code == 202

    response = automation.request("POST", f"/workflows/{workflow.id}/deactivate/", member)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"message", "workflow_id", "status", "deactivated_at"}
    assert body["message"] == "Workflow désactivé" and body["status"] == "inactive"
    assert status_of(automation.api, workflow.id)[0] == "inactive"
    # An inactive workflow's webhook is not there.
    stopped = call_webhook(automation.api, url, new_secret, {"name": "Ada"})
    assert_error(stopped, 404, "AUTO_001")
    actions = automation.api.query(
        "SELECT action FROM audit_log WHERE object_id = %s ORDER BY id", workflow.id
    )
    assert [action for (action,) in actions][-4:] == [
        "workflow.activate", "workflow.activate", "workflow.webhook_secret",
        "workflow.deactivate",
    ]  # fmt: skip


def test_activation_refusals_change_nothing(
    automation: Automation, team: Team, project: str
) -> None:
    member, admin = team.users["MEMBER"], team.users["ADMIN"]

    # An incomplete graph: a node joined to nothing.
    loose = automation.build(
        member, project, {"Hook": ("trigger", {}), "Greet": TRANSFORM}, trigger_type="webhook"
    )
    refused = automation.request("POST", f"/workflows/{loose.id}/activate/", member)
    assert_error(refused, 400, "AUTO_002")
    assert status_of(automation.api, loose.id) == ("draft", None)

    # A workflow with an HTTP request (ADMIN's) cannot be activated by a MEMBER, whose
    # role the unattended triggers would then run it with.
    advanced = automation.build(
        admin,
        project,
        {
            "Hook": ("trigger", {}),
            "Call": ("http_request", {"config": {"method": "GET", "url": "https://example.com"}}),
        },
        [("Hook", "Call")],
        trigger_type="webhook",
    )
    denied = automation.request("POST", f"/workflows/{advanced.id}/activate/", member)
    assert_error(denied, 403, "PERMISSION_DENIED")
    assert status_of(automation.api, advanced.id) == ("draft", None)
    denied = automation.request("POST", f"/workflows/{advanced.id}/webhook-secret/", member)
    assert_error(denied, 403, "PERMISSION_DENIED")

    workflow = webhook_workflow(automation, team, project)
    client = automation.request("POST", f"/workflows/{workflow.id}/activate/", team.users["CLIENT"])
    assert_error(client, 403, "PERMISSION_DENIED")
    stranger = automation.api.new_user("stranger")
    automation.api.new_organization(stranger, "Elsewhere")
    for action in ("activate", "deactivate", "webhook-secret"):
        response = automation.request("POST", f"/workflows/{workflow.id}/{action}/", stranger)
        assert_error(response, 404, "AUTO_001")
    missing = automation.request("POST", f"/workflows/{uuid.uuid4()}/activate/", member)
    assert_error(missing, 404, "AUTO_001")
    assert status_of(automation.api, workflow.id) == ("draft", None)

    # Only a webhook workflow has a secret.
    manual = automation.build(
        member, project, {"Start": ("trigger", {}), "Greet": TRANSFORM}, [("Start", "Greet")]
    )
    response = automation.request("POST", f"/workflows/{manual.id}/webhook-secret/", member)
    assert "trigger_type" in assert_error(response, 400, "AUTO_007")
