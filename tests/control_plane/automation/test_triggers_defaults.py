"""Seed 003's automatic flow on the real server: a new project has its default workflows,
made in its creation's transaction, active on its creator's behalf, valid, and editable
as any other; a failed deployment of the project's app fires the one that tells of it."""

from __future__ import annotations

import uuid

from tests.control_plane.automation.conftest import Automation
from tests.control_plane.automation.triggering import emit, finished_executions
from tests.control_plane.studio.conftest import Team


def test_a_new_project_has_its_default_workflows(automation: Automation, team: Team) -> None:
    member = team.users["MEMBER"]
    project = automation.studio.new_project(member, team.organization, "Defaults")
    listed = automation.request("GET", "/workflows/", member, params={"project": project})
    [workflow] = listed.json()["results"]
    assert workflow["name"] == "Notify on failed deployment"
    assert workflow["status"] == "active" and workflow["trigger_type"] == "event"
    assert workflow["trigger_config"] == {"event": "app.deployment_failed"}
    assert (workflow["nodes_count"], workflow["edges_count"]) == (2, 1)
    [(key, activated_by)] = automation.api.query(
        "SELECT default_key, activated_by FROM automation_workflows WHERE id = %s",
        uuid.UUID(workflow["id"]),
    )
    assert key == "notify_failed_deployment" and str(activated_by) == member.id
    nodes = automation.request("GET", f"/workflows/{workflow['id']}/nodes/", member).json()
    action = next(node for node in nodes["results"] if node["node_type"] == "action")
    assert action["config"]["action_type"] == "send_email"
    assert action["config"]["recipient"] == member.email
    validated = automation.request("GET", f"/workflows/{workflow['id']}/validate/", member)
    assert validated.status_code == 200 and validated.json()["can_execute"], validated.text

    # An ordinary workflow: renamed, then deleted, by a member.
    renamed = automation.request(
        "PUT", f"/workflows/{workflow['id']}/", member, json={"name": "Tell me"}
    )
    assert renamed.status_code == 200 and renamed.json()["name"] == "Tell me", renamed.text
    deleted = automation.request("DELETE", f"/workflows/{workflow['id']}/", member)
    assert deleted.status_code == 204, deleted.text

    # An imported project gets its own.
    document = automation.studio.http.get(
        f"/projects/{project}/export/", headers=member.headers
    ).json()
    imported = automation.studio.http.post(
        "/projects/import/",
        headers=member.headers,
        json={"organization_id": team.organization, "document": document},
    )
    assert imported.status_code == 201, imported.text
    [(copies,)] = automation.api.query(
        "SELECT count(*) FROM automation_workflows WHERE project_id = %s AND default_key = %s",
        uuid.UUID(imported.json()["id"]),
        "notify_failed_deployment",
    )
    assert copies == 1


def test_a_failed_deployment_fires_the_default_workflow(automation: Automation, team: Team) -> None:
    member = team.users["MEMBER"]
    project = automation.studio.new_project(member, team.organization, "Notified")
    failure = {
        "app_id": str(uuid.uuid4()),
        "app_name": "CRM",
        "project_id": project,
        "environment": "production",
        "deployment_id": str(uuid.uuid4()),
        "kind": "deployment",
        "error_code": "DEPLOY_001",
        "error_message": "Health Checks failed",
    }
    emit(automation.api, team.organization, project, "app.deployment_failed", failure)
    [(workflow,)] = automation.api.query(
        "SELECT id FROM automation_workflows WHERE project_id = %s", uuid.UUID(project)
    )
    [execution] = finished_executions(automation.api, str(workflow), 1)
    assert (execution.status, execution.trigger_type) == ("success", "event"), execution
    assert execution.input_data["event"]["name"] == "app.deployment_failed"
    mail = automation.api.inbox.wait_for(member.email, "Deployment of CRM failed")
    body = mail.get_content()
    assert "production" in body and "DEPLOY_001: Health Checks failed" in body
