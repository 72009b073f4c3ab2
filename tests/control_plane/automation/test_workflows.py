"""`/workflows/`: the seed's shapes, filters, the trigger configs, the 50-per-project
limit, updates, deletion with everything the workflow holds, roles and isolation."""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor
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
    assert {**shown.json(), "statistics": None} == {**created, "statistics": None}
    assert shown.json()["statistics"]["executions_total"] == 0


def test_list_filters_and_pages(automation: Automation, team: Team) -> None:
    project = automation.project(team, "Listes")
    other = automation.project(team, "Autre")
    owner = team.owner
    cron = automation.workflow(
        owner, project, trigger_type="cron", trigger_config={"cron": "0 8 * * *"}
    )
    manual = automation.workflow(owner, project, name="À la main")
    automation.workflow(owner, other)

    def listed(**params: Any) -> list[str]:
        response = automation.request("GET", "/workflows/", owner, params=params)
        assert response.status_code == 200, response.text
        return [workflow["id"] for workflow in response.json()["results"]]

    assert listed(project=project) == [manual["id"], cron["id"]]  # newest first
    assert listed(project=project, trigger_type="cron") == [cron["id"]]
    assert listed(project=project, status="draft") == [manual["id"], cron["id"]]
    assert listed(project=project, status="active") == []
    page = automation.request(
        "GET", "/workflows/", owner, params={"project": project, "page_size": 1}
    ).json()
    assert page["count"] == 2 and page["next"] is not None and page["previous"] is None
    assert page["results"][0] == {**manual, "updated_at": page["results"][0]["updated_at"]}
    bad = automation.request("GET", "/workflows/", owner, params={"status": "sleeping"})
    assert_error(bad, 400, "VALIDATION_ERROR")
    client = automation.request("GET", "/workflows/", team.users["CLIENT"])
    assert client.json()["count"] == 0
    denied = automation.request(
        "GET", "/workflows/", team.users["CLIENT"], params={"project": project}
    )
    assert_error(denied, 403, "PERMISSION_DENIED")


def test_trigger_configs_are_checked_per_type(
    automation: Automation, team: Team, project: str
) -> None:
    member = team.users["MEMBER"]

    def refused(trigger_type: str, config: dict[str, Any]) -> dict[str, Any]:
        body = {
            "name": "W",
            "project": project,
            "trigger_type": trigger_type,
            "trigger_config": config,
        }
        return assert_error(
            automation.request("POST", "/workflows/", member, json=body), 400, "AUTO_007"
        )

    assert "trigger_config.cron" in refused("cron", {"cron": "every morning"})
    assert "trigger_config.cron" in refused("cron", {"cron": "0 8 * *"})  # 4 fields
    assert "trigger_config.cron" in refused("cron", {})
    assert "trigger_config.event" in refused("event", {"event": "order.created"})
    assert "trigger_config.respond" in refused("webhook", {"respond": "later"})
    assert "trigger_config.secret" in refused("manual", {"secret": "x"})
    six = automation.workflow(
        member, project, trigger_type="cron", trigger_config={"cron": "0 8 * * 1-5 30"}
    )
    assert six["trigger_config"] == {"cron": "0 8 * * 1-5 30"}
    event = automation.workflow(
        member,
        project,
        trigger_type="event",
        trigger_config={"event": "record.created", "table": "clients"},
    )
    assert event["trigger_config"] == {"event": "record.created", "table": "clients"}
    assert "webhook_url" not in event["trigger_config"]


def test_at_most_fifty_workflows_a_project(automation: Automation, team: Team) -> None:
    project = automation.project(team, "Cinquante")
    automation.api.query(
        "INSERT INTO automation_workflows (organization_id, project_id, name, trigger_type) "
        "SELECT %s, %s, 'w' || n, 'manual' FROM generate_series(1, 49) AS n",
        uuid.UUID(team.organization),
        uuid.UUID(project),
    )
    automation.workflow(team.owner, project)  # the fiftieth
    body = {"name": "one too many", "project": project, "trigger_type": "manual"}
    details = assert_error(
        automation.request("POST", "/workflows/", team.owner, json=body), 409, "LIMIT_REACHED"
    )
    assert details == {"project": "A project has at most 50 workflows."}
    count = "SELECT count(*) FROM automation_workflows WHERE project_id = %s"
    assert automation.api.query(count, uuid.UUID(project)) == [(50,)]


def test_update_changes_what_is_given(automation: Automation, team: Team, project: str) -> None:
    member = team.users["MEMBER"]
    workflow = automation.workflow(
        member, project, trigger_type="cron", trigger_config={"cron": "0 8 * * *"}
    )
    path = f"/workflows/{workflow['id']}/"
    body = {
        "name": "Processus d'Onboarding Client v2",
        "status": "inactive",
        "settings": {"timeout_seconds": 600, "retry_on_failure": True, "max_retries": 5},
    }
    updated = automation.request("PUT", path, member, json=body)
    assert updated.status_code == 200, updated.text
    changed = updated.json()
    assert changed["name"] == body["name"] and changed["status"] == "inactive"
    assert changed["settings"]["timeout_seconds"] == 600 and changed["settings"]["max_retries"] == 5
    assert changed["description"] == workflow["description"]
    assert changed["trigger_config"] == {"cron": "0 8 * * *"}
    assert changed["updated_at"] > workflow["updated_at"]
    # A new trigger type drops the old one's config; a bad one changes nothing.
    assert_error(
        automation.request("PUT", path, member, json={"trigger_type": "event"}), 400, "AUTO_007"
    )
    webhook = automation.request("PUT", path, member, json={"trigger_type": "webhook"}).json()
    assert webhook["trigger_config"]["webhook_url"].endswith(
        f"/workflows/{workflow['id']}/trigger/"
    )
    for status in ("active", "scheduled"):
        refused = automation.request("PUT", path, member, json={"status": status})
        assert_error(refused, 400, "VALIDATION_ERROR")
    # An active workflow's trigger and status are the /deactivate/ endpoint's.
    automation.api.query(
        "UPDATE automation_workflows SET status = 'active' WHERE id = %s", uuid.UUID(workflow["id"])
    )
    busy = automation.request("PUT", path, member, json={"status": "draft"})
    assert_error(busy, 409, "CONFLICT")
    renamed = automation.request("PUT", path, member, json={"name": "Renamed"})
    assert renamed.json()["status"] == "active"
    audit = automation.api.query(
        "SELECT action, details FROM audit_log WHERE object_id = %s ORDER BY id", workflow["id"]
    )
    assert [action for action, _ in audit] == ["workflow.create"] + ["workflow.update"] * 3


def test_delete_takes_everything_with_it(automation: Automation, team: Team, project: str) -> None:
    owner = team.owner
    built = automation.build(
        owner, project, {"start": ("trigger", {}), "end": ("transform", {})}, [("start", "end")]
    )
    workflow = uuid.UUID(built.id)
    run = automation.api.query(
        "INSERT INTO runs (organization_id, kind, status) VALUES (%s, 'workflow', 'success') "
        "RETURNING id",
        uuid.UUID(team.organization),
    )[0][0]
    automation.api.query(
        "INSERT INTO automation_executions (run_id, workflow_id, trigger_type) "
        "VALUES (%s, %s, 'manual')",
        run,
        workflow,
    )
    shown = automation.request("GET", f"/workflows/{built.id}/", owner).json()
    assert (shown["nodes_count"], shown["edges_count"], shown["executions_count"]) == (2, 1, 1)
    assert shown["success_rate"] == 1.0 and shown["last_executed"] is not None
    deleted = automation.request("DELETE", f"/workflows/{built.id}/", team.users["MEMBER"])
    assert deleted.status_code == 204, deleted.text
    for table, column in (
        ("automation_nodes", "workflow_id"),
        ("automation_edges", "workflow_id"),
        ("automation_executions", "workflow_id"),
        ("runs", "id"),
    ):
        value = run if table == "runs" else workflow
        assert automation.api.query(f"SELECT count(*) FROM {table} WHERE {column} = %s", value) == [
            (0,)
        ]
    gone = automation.request("GET", f"/workflows/{built.id}/", owner)
    assert_error(gone, 404, "AUTO_001")
    assert_error(automation.request("DELETE", f"/workflows/{built.id}/", owner), 404, "AUTO_001")


def test_delete_stops_the_executions_in_progress(
    automation: Automation, team: Team, project: str
) -> None:
    member = team.users["MEMBER"]
    built = automation.delayed(
        member, project, {"minutes": 10}, {"late": True}, settings={"timeout_seconds": 3600}
    )
    started = automation.execute(member, built.id)
    execution = uuid.UUID(started["execution_id"])
    waiting_job = (
        "SELECT j.id FROM runs r JOIN procrastinate_jobs j ON j.id = r.job_id"
        " WHERE r.id = %s AND j.status = 'todo' AND j.scheduled_at > now()"
    )
    deadline = time.monotonic() + 30
    while not (job := automation.api.query(waiting_job, execution)):
        assert time.monotonic() < deadline, "the delay's job never waited in the queue"
        time.sleep(0.1)

    deleted = automation.request("DELETE", f"/workflows/{built.id}/", member)
    assert deleted.status_code == 204, deleted.text
    assert automation.api.query("SELECT count(*) FROM runs WHERE id = %s", execution) == [(0,)]
    status = automation.api.query(
        "SELECT status::text FROM procrastinate_jobs WHERE id = %s", job[0][0]
    )
    assert status == [("cancelled",)]


def test_roles_and_isolation(automation: Automation, api: Api, team: Team, project: str) -> None:
    body = {"name": "W", "project": project, "trigger_type": "manual"}
    client = automation.request("POST", "/workflows/", team.users["CLIENT"], json=body)
    assert_error(client, 403, "PERMISSION_DENIED")
    workflow = automation.workflow(team.users["MEMBER"], project)
    path = f"/workflows/{workflow['id']}/"
    for method in ("PUT", "DELETE"):
        denied = automation.request(method, path, team.users["CLIENT"], json={"name": "x"})
        assert_error(denied, 403, "PERMISSION_DENIED")
    stranger = api.new_user("stranger")
    api.new_organization(stranger, "Elsewhere")
    for method in ("GET", "PUT", "DELETE"):
        hidden = automation.request(method, path, stranger, json={"name": "x"})
        assert assert_error(hidden, 404, "AUTO_001") == {"workflow": "No such workflow."}
    missing = automation.request("GET", f"/workflows/{uuid.uuid4()}/", stranger)
    assert missing.json() == hidden.json()
    foreign = automation.request("POST", "/workflows/", stranger, json=body)
    assert_error(foreign, 404, "NOT_FOUND")
    assert automation.request("GET", "/workflows/", stranger).json()["count"] == 0
    assert automation.request("GET", path, team.owner).json()["name"] == "Onboarding"


def test_bad_input_is_refused_with_its_field(
    automation: Automation, team: Team, project: str
) -> None:
    owner = team.owner
    base = {"name": "W", "project": project, "trigger_type": "manual"}
    for body, field in (
        ({**base, "colour": "red"}, "colour"),
        ({**base, "name": "a\x00b"}, "name"),
        ({**base, "name": "two\nlines"}, "name"),
        ({**base, "name": " "}, "name"),
        ({**base, "trigger_type": "telepathy"}, "trigger_type"),
        ({**base, "project": "not-a-uuid"}, "project"),
        ({**base, "settings": {"timeout_seconds": "soon"}}, "settings"),
        ({**base, "settings": {"max_retries": 99}}, "settings"),
        ({**base, "trigger_config": ["cron"]}, "trigger_config"),
        ({**base, "description": "x" * 2001}, "description"),
    ):
        response = automation.request("POST", "/workflows/", owner, json=body)
        details = assert_error(response, 400, "VALIDATION_ERROR")
        assert any(field in key for key in details), (field, details)
    huge = automation.request(
        "POST", "/workflows/", owner, json={**base, "description": "x" * 3_000_000}
    )
    assert huge.status_code in (400, 413), huge.text
    text = automation.request(
        "POST", "/workflows/", owner, content=b"{", headers={"Content-Type": "application/json"}
    )
    assert_error(text, 400, "VALIDATION_ERROR")


def test_concurrent_creations_cannot_pass_the_limit(automation: Automation, team: Team) -> None:
    project = automation.project(team, "Concurrence")
    automation.api.query(
        "INSERT INTO automation_workflows (organization_id, project_id, name, trigger_type) "
        "SELECT %s, %s, 'w' || n, 'manual' FROM generate_series(1, 46) AS n",
        uuid.UUID(team.organization),
        uuid.UUID(project),
    )
    body = {"name": "racer", "project": project, "trigger_type": "manual"}
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(
            pool.map(
                lambda _: (
                    automation.request("POST", "/workflows/", team.owner, json=body).status_code
                ),
                range(8),
            )
        )
    assert sorted(statuses) == [201] * 4 + [409] * 4
    count = "SELECT count(*) FROM automation_workflows WHERE project_id = %s"
    assert automation.api.query(count, uuid.UUID(project)) == [(50,)]
