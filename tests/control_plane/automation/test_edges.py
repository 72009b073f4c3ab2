"""`/workflows/{id}/edges/`: the seed's shapes, conditions that must parse, no edge from a
node to itself, nor twice between two nodes, nor to a node of another workflow."""

from __future__ import annotations

import uuid

from tests.control_plane.automation.conftest import Automation
from tests.control_plane.conftest import Api, assert_error
from tests.control_plane.studio.conftest import Team

STYLE = {"color": "#10B981", "width": 2, "type": "solid"}


def test_create_list_delete(automation: Automation, team: Team, project: str) -> None:
    member = team.users["MEMBER"]
    built = automation.build(
        member, project, {"check": ("condition", {}), "email": ("transform", {})}
    )
    edges = f"/workflows/{built.id}/edges/"
    body = {
        "source_node": built.nodes["check"],
        "target_node": built.nodes["email"],
        "condition": "validation_result == true",
        "label": "Client valide",
        "style": STYLE,
    }
    created = automation.request("POST", edges, member, json=body)
    assert created.status_code == 201, created.text
    edge = created.json()
    assert edge["tracking_id"] == edge["id"] and edge["workflow"] == built.id
    assert {key: edge[key] for key in body} == body
    listed = automation.request("GET", edges, team.users["MEMBER"]).json()
    assert listed == {"count": 1, "next": None, "previous": None, "results": [edge]}
    again = automation.request("POST", edges, member, json={**body, "label": "bis"})
    assert assert_error(again, 409, "CONFLICT") == {
        "target_node": "These nodes are already joined."
    }
    reverse = automation.request(
        "POST",
        edges,
        member,
        json={"source_node": built.nodes["email"], "target_node": built.nodes["check"]},
    )
    assert reverse.status_code == 201, reverse.text
    assert reverse.json()["condition"] is None and reverse.json()["style"] == {}
    path = f"{edges}{edge['id']}/"
    assert automation.request("DELETE", path, member).status_code == 204
    assert_error(automation.request("DELETE", path, member), 404, "NOT_FOUND")
    audit = automation.api.query(
        "SELECT action FROM audit_log WHERE object_id = %s ORDER BY id", edge["id"]
    )
    assert audit == [("edge.create",), ("edge.delete",)]


def test_refused_edges(automation: Automation, team: Team, project: str) -> None:
    owner = team.owner
    built = automation.build(owner, project, {"a": ("trigger", {}), "b": ("delay", {})})
    other = automation.build(owner, project, {"c": ("trigger", {})})
    edges = f"/workflows/{built.id}/edges/"
    a, b, c = built.nodes["a"], built.nodes["b"], other.nodes["c"]
    self_edge = automation.request("POST", edges, owner, json={"source_node": a, "target_node": a})
    assert "target_node" in assert_error(self_edge, 400, "AUTO_007")
    for source, target in ((a, c), (c, b), (a, str(uuid.uuid4()))):
        foreign = automation.request(
            "POST", edges, owner, json={"source_node": source, "target_node": target}
        )
        assert_error(foreign, 400, "AUTO_007")
    bad = automation.request(
        "POST", edges, owner, json={"source_node": a, "target_node": b, "condition": "x =="}
    )
    assert list(assert_error(bad, 400, "AUTO_007")) == ["condition"]
    for body, field in (
        ({"source_node": a, "target_node": b, "weight": 1}, "weight"),
        ({"source_node": a, "target_node": "b"}, "target_node"),
        ({"source_node": a, "target_node": b, "label": "a\nb"}, "label"),
        ({"source_node": a, "target_node": b, "condition": ""}, "condition"),
        ({"source_node": a, "target_node": b, "condition": "x\x00"}, "condition"),
        ({"source_node": a, "target_node": b, "style": {"css": "x" * 5000}}, "style"),
        ({"source_node": a}, "target_node"),
    ):
        response = automation.request("POST", edges, owner, json=body)
        details = assert_error(response, 400, "VALIDATION_ERROR")
        assert any(field in key for key in details), (field, details)
    count = "SELECT count(*) FROM automation_edges WHERE workflow_id = %s"
    assert automation.api.query(count, uuid.UUID(built.id)) == [(0,)]


def test_roles_and_isolation(automation: Automation, api: Api, team: Team, project: str) -> None:
    built = automation.build(
        team.owner, project, {"a": ("trigger", {}), "b": ("delay", {})}, [("a", "b")]
    )
    other = automation.workflow(team.owner, project)["id"]
    edge_id = built.edges[("a", "b")]
    body = {"source_node": built.nodes["b"], "target_node": built.nodes["a"]}
    stranger = api.new_user("stranger")
    api.new_organization(stranger, "Elsewhere")
    for method, path in (
        ("GET", f"/workflows/{built.id}/edges/"),
        ("POST", f"/workflows/{built.id}/edges/"),
        ("DELETE", f"/workflows/{built.id}/edges/{edge_id}/"),
    ):
        assert_error(automation.request(method, path, stranger, json=body), 404, "AUTO_001")
        denied = automation.request(method, path, team.users["CLIENT"], json=body)
        assert_error(denied, 403, "PERMISSION_DENIED")
    elsewhere = automation.request("DELETE", f"/workflows/{other}/edges/{edge_id}/", team.owner)
    assert_error(elsewhere, 404, "NOT_FOUND")
    assert automation.api.query(
        "SELECT count(*) FROM automation_edges WHERE id = %s", uuid.UUID(edge_id)
    ) == [(1,)]
