"""`/workflows/{id}/nodes/`: the seed's shapes, partial updates, deletion with edges, one
trigger a workflow, configs whose expressions must parse (AUTO_007 naming the path), who
may place which node type, isolation and bad input."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.control_plane.automation.conftest import Automation
from tests.control_plane.conftest import Api, User, assert_error
from tests.control_plane.studio.conftest import Team

# The seed's POST body.
TASK = {
    "name": "Créer Tâche CRM",
    "node_type": "action",
    "position": {"x": 400, "y": 100},
    "config": {
        "action_type": "create_record",
        "table": "taches",
        "data": {
            "titre": "Suivi client {{input_data.client_name}}",
            "description": "Contacter le nouveau client",
            "priorite": "haute",
            "assigne_a": "commercial@company.com",
            "date_echeance": "{{now() + 7 days}}",
        },
    },
    "inputs": [{"name": "client_name", "type": "string", "required": True}],
    "outputs": [{"name": "task_id", "type": "integer"}],
}


@pytest.fixture(scope="module")
def workflow(automation: Automation, team: Team, project: str) -> str:
    return str(automation.workflow(team.owner, project)["id"])


def test_create_get_list_update_delete(automation: Automation, team: Team, workflow: str) -> None:
    member = team.users["MEMBER"]
    nodes = f"/workflows/{workflow}/nodes/"
    created = automation.request("POST", nodes, member, json=TASK)
    assert created.status_code == 201, created.text
    node = created.json()
    assert node["tracking_id"] == node["id"] and node["workflow"] == workflow
    assert {key: node[key] for key in TASK} == {
        **TASK,
        "inputs": [{**TASK["inputs"][0], "description": ""}],
        "outputs": [{**TASK["outputs"][0], "required": False, "description": ""}],
    }
    assert node["safe_to_repeat"] is False
    assert '"position":{"x":400,"y":100}' in created.text  # integers stay integers
    path = f"{nodes}{node['id']}/"
    shown = automation.request("GET", path, team.users["MEMBER"]).json()
    assert shown["execution_statistics"]["executions_count"] == 0
    assert {**shown, "execution_statistics": None} == node
    listed = automation.request("GET", nodes, member).json()
    assert listed["count"] >= 1 and node in listed["results"]
    update = {"name": "Vérifier Client VIP", "position": {"x": 120, "y": 60}}
    updated = automation.request("PUT", path, member, json=update)
    assert updated.status_code == 200, updated.text
    changed = updated.json()
    assert changed["name"] == update["name"] and changed["position"] == update["position"]
    assert changed["config"] == TASK["config"] and changed["updated_at"] > node["updated_at"]
    retyped = automation.request("PUT", path, member, json={"node_type": "delay"})
    assert_error(retyped, 400, "VALIDATION_ERROR")
    deleted = automation.request("DELETE", path, member)
    assert deleted.status_code == 204, deleted.text
    assert_error(automation.request("GET", path, member), 404, "NOT_FOUND")
    assert_error(automation.request("DELETE", path, member), 404, "NOT_FOUND")
    audit = automation.api.query(
        "SELECT action FROM audit_log WHERE object_id = %s ORDER BY id", node["id"]
    )
    assert audit == [("node.create",), ("node.update",), ("node.delete",)]


def test_deleting_a_node_deletes_its_edges(
    automation: Automation, team: Team, project: str
) -> None:
    built = automation.build(
        team.owner,
        project,
        {"start": ("trigger", {}), "middle": ("transform", {}), "end": ("transform", {})},
        [("start", "middle"), ("middle", "end"), ("start", "end")],
    )
    path = f"/workflows/{built.id}/nodes/{built.nodes['middle']}/"
    assert automation.request("DELETE", path, team.owner).status_code == 204
    edges = automation.request("GET", f"/workflows/{built.id}/edges/", team.owner).json()
    assert [edge["id"] for edge in edges["results"]] == [built.edges[("start", "end")]]


def test_one_trigger_a_workflow(automation: Automation, team: Team, project: str) -> None:
    workflow = automation.workflow(team.owner, project)["id"]
    automation.node(team.owner, workflow, "trigger")
    second = automation.request(
        "POST",
        f"/workflows/{workflow}/nodes/",
        team.owner,
        json={"name": "Again", "node_type": "trigger"},
    )
    assert assert_error(second, 400, "AUTO_007") == {
        "node_type": "A workflow has one trigger node."
    }
    count = "SELECT count(*) FROM automation_nodes WHERE workflow_id = %s"
    assert automation.api.query(count, uuid.UUID(workflow)) == [(1,)]


def test_expressions_must_parse(automation: Automation, team: Team, workflow: str) -> None:
    nodes = f"/workflows/{workflow}/nodes/"
    bad_template = {
        **TASK,
        "config": {**TASK["config"], "data": {"titre": "Suivi {{input_data.}}"}},
    }
    details = assert_error(
        automation.request("POST", nodes, team.owner, json=bad_template), 400, "AUTO_007"
    )
    assert list(details) == ["config.data.titre"]
    in_list = {"name": "T", "node_type": "transform", "config": {"steps": ["ok", "{{ 1 + }}"]}}
    details = assert_error(
        automation.request("POST", nodes, team.owner, json=in_list), 400, "AUTO_007"
    )
    assert list(details) == ["config.steps[1]"]
    condition = {"name": "C", "node_type": "condition", "config": {"condition": "a == == b"}}
    details = assert_error(
        automation.request("POST", nodes, team.owner, json=condition), 400, "AUTO_007"
    )
    assert list(details) == ["config.condition"]
    good = {
        "name": "Vérifier Client",
        "node_type": "condition",
        "config": {"condition": "input_data.client_exists == true && input_data.is_vip == true"},
    }
    node = automation.request("POST", nodes, team.owner, json=good)
    assert node.status_code == 201, node.text
    path = f"{nodes}{node.json()['id']}/"
    broken = automation.request("PUT", path, team.owner, json={"config": {"condition": "(("}})
    assert_error(broken, 400, "AUTO_007")
    assert automation.request("GET", path, team.owner).json()["config"] == good["config"]


# (node_type, config) and the least role that may place it (node_types.py).
NODES: list[tuple[str, dict[str, Any], str]] = [
    ("trigger", {}, "MEMBER"),
    ("condition", {"condition": "input_data.ok == true"}, "MEMBER"),
    ("transform", {}, "MEMBER"),
    ("delay", {}, "MEMBER"),
    ("loop", {}, "MEMBER"),
    ("action", {"action_type": "send_email"}, "MEMBER"),
    ("action", {"action_type": "create_record"}, "MEMBER"),
    ("action", {"action_type": "update_record"}, "MEMBER"),
    ("action", {"action_type": "webhook"}, "ADMIN"),
    ("action", {"action_type": "send_email", "integration": str(uuid.uuid4())}, "ADMIN"),
    ("http_request", {}, "ADMIN"),
    ("database_query", {}, "ADMIN"),
    ("database_query", {"read_only": True}, "ADMIN"),
    ("database_query", {"read_only": False}, "OWNER"),
]
RANK = {"CLIENT": 0, "MEMBER": 1, "ADMIN": 2, "OWNER": 3}


@pytest.mark.parametrize(("node_type", "config", "least"), NODES)
def test_who_may_place_which_node(
    automation: Automation,
    team: Team,
    project: str,
    node_type: str,
    config: dict[str, Any],
    least: str,
) -> None:
    workflow = automation.workflow(team.owner, project)["id"]
    nodes = f"/workflows/{workflow}/nodes/"
    body = {"name": "N", "node_type": node_type, "config": config}
    for role, user in team.users.items():
        response = automation.request("POST", nodes, user, json=body)
        if RANK[role] >= RANK[least]:
            assert response.status_code == 201, (role, response.text)
            node_path = f"{nodes}{response.json()['id']}/"
            assert automation.request("DELETE", node_path, user).status_code == 204
        else:
            assert_error(response, 403, "PERMISSION_DENIED")


def test_a_member_cannot_change_or_make_an_advanced_node(
    automation: Automation, team: Team, project: str
) -> None:
    workflow = automation.workflow(team.owner, project)["id"]
    member, admin = team.users["MEMBER"], team.users["ADMIN"]
    http = automation.node(admin, workflow, "http_request", config={"url": "https://x.test"})
    http_path = f"/workflows/{workflow}/nodes/{http['id']}/"
    for method, body in (("PUT", {"name": "Mine now"}), ("DELETE", None)):
        denied = automation.request(method, http_path, member, json=body)
        assert_error(denied, 403, "PERMISSION_DENIED")
    email = automation.node(member, workflow, "action", config={"action_type": "send_email"})
    to_webhook = automation.request(
        "PUT",
        f"/workflows/{workflow}/nodes/{email['id']}/",
        member,
        json={"config": {"action_type": "webhook"}},
    )
    assert_error(to_webhook, 403, "PERMISSION_DENIED")
    # Nor disarm one: the right is needed for the node as it was, too.
    webhook = automation.node(admin, workflow, "action", config={"action_type": "webhook"})
    to_email = automation.request(
        "PUT",
        f"/workflows/{workflow}/nodes/{webhook['id']}/",
        member,
        json={"config": {"action_type": "send_email"}},
    )
    assert_error(to_email, 403, "PERMISSION_DENIED")
    denied = automation.request("DELETE", f"/workflows/{workflow}/", member)
    assert_error(denied, 403, "PERMISSION_DENIED")
    assert automation.request("GET", http_path, member).json()["name"] == http["name"]


def test_isolation(automation: Automation, api: Api, team: Team, project: str) -> None:
    built = automation.build(team.owner, project, {"start": ("trigger", {})})
    other = automation.workflow(team.owner, project)["id"]
    stranger = api.new_user("stranger")
    api.new_organization(stranger, "Elsewhere")
    node_path = f"/workflows/{built.id}/nodes/{built.nodes['start']}/"
    for method, path, body in (
        ("GET", f"/workflows/{built.id}/nodes/", None),
        ("POST", f"/workflows/{built.id}/nodes/", {"name": "N", "node_type": "delay"}),
        ("GET", node_path, None),
        ("PUT", node_path, {"name": "x"}),
        ("DELETE", node_path, None),
    ):
        hidden = automation.request(method, path, stranger, json=body)
        assert_error(hidden, 404, "AUTO_001")
        denied = automation.request(method, path, team.users["CLIENT"], json=body)
        assert_error(denied, 403, "PERMISSION_DENIED")
    elsewhere = f"/workflows/{other}/nodes/{built.nodes['start']}/"
    for method in ("GET", "PUT", "DELETE"):
        missing = automation.request(method, elsewhere, team.owner, json={"name": "x"})
        assert assert_error(missing, 404, "NOT_FOUND") == {"node": "No such node in this workflow."}


def test_bad_input(automation: Automation, team: Team, workflow: str) -> None:
    owner: User = team.owner
    nodes = f"/workflows/{workflow}/nodes/"
    base = {"name": "N", "node_type": "transform"}
    deep: Any = "x"
    for _ in range(200):
        deep = [deep]
    for body, field in (
        ({**base, "colour": "red"}, "colour"),
        ({**base, "node_type": "teleport"}, "node_type"),
        ({**base, "name": "a\x00b"}, "name"),
        ({**base, "config": "text"}, "config"),
        ({**base, "config": {"big": "x" * 70_000}}, "config"),
        ({**base, "config": {"deep": deep}}, "config"),
        ({**base, "position": {"x": "left"}}, "position"),
        ({**base, "position": {"x": 1e300}}, "position"),
        ({**base, "inputs": [{"name": "a b"}]}, "inputs"),
        ({**base, "inputs": [{"name": "a", "kind": "string"}]}, "inputs"),
        ({**base, "outputs": [{"name": "a", "type": "complex"}]}, "outputs"),
        ({**base, "safe_to_repeat": "maybe"}, "safe_to_repeat"),
    ):
        response = automation.request("POST", nodes, owner, json=body)
        details = assert_error(response, 400, "VALIDATION_ERROR")
        assert any(field in key for key in details), (field, details)
    nul = automation.request("POST", nodes, owner, json={**base, "config": {"text": "a\x00b"}})
    assert nul.status_code == 400, nul.text
    huge = automation.request("POST", nodes, owner, json={**base, "config": {"x": "y" * 3_000_000}})
    assert huge.status_code in (400, 413), huge.text
    count = "SELECT count(*) FROM automation_nodes WHERE workflow_id = %s AND name = 'N'"
    assert automation.api.query(count, uuid.UUID(workflow)) == [(0,)]


def test_at_most_200_nodes_and_1000_edges(automation: Automation, team: Team, project: str) -> None:
    built = automation.build(team.owner, project, {"a": ("trigger", {}), "b": ("delay", {})})
    workflow = uuid.UUID(built.id)
    automation.api.query(
        "INSERT INTO automation_nodes (workflow_id, name, node_type) "
        "SELECT %s, 'n' || n, 'delay' FROM generate_series(1, 197) AS n",
        workflow,
    )
    automation.node(team.owner, built.id, "delay")  # the 200th
    over = automation.request(
        "POST",
        f"/workflows/{built.id}/nodes/",
        team.owner,
        json={"name": "N", "node_type": "delay"},
    )
    details = assert_error(over, 409, "LIMIT_REACHED")
    assert details == {"workflow": "A workflow has at most 200 nodes."}
    automation.api.query(
        "INSERT INTO automation_edges (workflow_id, source_node_id, target_node_id) "
        "SELECT %s, s.id, t.id FROM automation_nodes AS s JOIN automation_nodes AS t "
        "ON s.workflow_id = t.workflow_id AND s.id <> t.id "
        "WHERE s.workflow_id = %s AND %s NOT IN (s.id, t.id) LIMIT 1000",
        workflow,
        workflow,
        uuid.UUID(built.nodes["a"]),
    )
    over = automation.request(
        "POST",
        f"/workflows/{built.id}/edges/",
        team.owner,
        json={"source_node": built.nodes["a"], "target_node": built.nodes["b"]},
    )
    assert_error(over, 409, "LIMIT_REACHED")
    report = automation.request("GET", f"/workflows/{built.id}/validate/", team.owner)
    assert report.status_code == 200, report.text


def test_concurrent_triggers_make_one(automation: Automation, team: Team, project: str) -> None:
    workflow = automation.workflow(team.owner, project)["id"]
    body = {"name": "Start", "node_type": "trigger"}
    path = f"/workflows/{workflow}/nodes/"
    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = list(
            pool.map(
                lambda _: automation.request("POST", path, team.owner, json=body).status_code,
                range(6),
            )
        )
    assert sorted(statuses) == [201] + [400] * 5
