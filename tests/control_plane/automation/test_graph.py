"""`/workflows/{id}/graph/`: the seed's shape, and its figures: execution paths from the
trigger to the leaves (a loop's body counted once) and McCabe's complexity."""

from __future__ import annotations

from typing import Any

import pytest

from tests.control_plane.automation.conftest import Automation
from tests.control_plane.conftest import Api, assert_error
from tests.control_plane.studio.conftest import Team


def test_the_seed_graph(automation: Automation, team: Team, project: str) -> None:
    nodes: dict[str, tuple[str, dict[str, Any]]] = {
        "Trigger Client": ("trigger", {"position": {"x": 50, "y": 100}}),
        "Vérifier Client": (
            "condition",
            {
                "position": {"x": 200, "y": 100},
                "config": {"condition": "input_data.client_exists == true"},
            },
        ),
        "Envoyer Email": ("action", {"config": {"action_type": "send_email"}}),
        "Créer Tâche": ("action", {"config": {"action_type": "create_record"}}),
    }
    built = automation.build(
        team.owner,
        project,
        nodes,
        [
            ("Trigger Client", "Vérifier Client"),
            ("Vérifier Client", "Envoyer Email", "validation_result == true"),
            ("Vérifier Client", "Créer Tâche", "validation_result == false"),
        ],
        name="Processus d'Onboarding Client",
    )
    response = automation.request("GET", f"/workflows/{built.id}/graph/", team.users["MEMBER"])
    assert response.status_code == 200, response.text
    graph = response.json()
    assert graph["workflow"] == {
        "id": built.id,
        "name": "Processus d'Onboarding Client",
        "status": "draft",
    }
    assert [node["id"] for node in graph["nodes"]] == list(built.nodes.values())
    assert graph["nodes"][1] == {
        "id": built.nodes["Vérifier Client"],
        "name": "Vérifier Client",
        "type": "condition",
        "position": {"x": 200, "y": 100},
        "config": {"condition": "input_data.client_exists == true"},
    }
    assert graph["edges"][0] == {
        "id": built.edges[("Trigger Client", "Vérifier Client")],
        "source": built.nodes["Trigger Client"],
        "target": built.nodes["Vérifier Client"],
        "condition": None,
    }
    assert graph["edges"][1]["condition"] == "validation_result == true"
    assert graph["layout"] == {"direction": "horizontal", "spacing": 50, "algorithm": "dagre"}
    assert graph["metadata"] == {
        "total_nodes": 4,
        "total_edges": 3,
        "execution_paths": 2,
        "complexity_score": 1,
    }


# (nodes as name: type, edges, execution paths, complexity)
SHAPES = [
    ({}, [], 0, 0),
    ({"t": "trigger"}, [], 1, 1),
    ({"a": "transform"}, [], 0, 1),  # no trigger: no path
    (
        {"t": "trigger", "a": "condition", "b": "transform", "c": "transform"},
        [("t", "a"), ("a", "b"), ("a", "c"), ("b", "c")],
        2,
        2,
    ),
    (
        {"t": "trigger", "l": "loop", "body": "transform", "end": "transform"},
        [("t", "l"), ("l", "body"), ("body", "l"), ("l", "end")],
        1,
        2,
    ),
    (
        {"t": "trigger", "a": "transform", "lonely": "delay", "other": "delay"},
        [("t", "a"), ("lonely", "other")],
        1,
        2,
    ),
]


@pytest.mark.parametrize(("types", "edges", "paths", "complexity"), SHAPES)
def test_figures(
    automation: Automation,
    team: Team,
    project: str,
    types: dict[str, str],
    edges: list[tuple[str, str]],
    paths: int,
    complexity: int,
) -> None:
    built = automation.build(
        team.owner, project, {name: (kind, {}) for name, kind in types.items()}, edges
    )
    graph = automation.request("GET", f"/workflows/{built.id}/graph/", team.owner).json()
    assert graph["metadata"] == {
        "total_nodes": len(types),
        "total_edges": len(edges),
        "execution_paths": paths,
        "complexity_score": complexity,
    }


def test_roles_and_isolation(automation: Automation, api: Api, team: Team, project: str) -> None:
    workflow = automation.workflow(team.owner, project)["id"]
    path = f"/workflows/{workflow}/graph/"
    assert_error(automation.request("GET", path, team.users["CLIENT"]), 403, "PERMISSION_DENIED")
    stranger = api.new_user("stranger")
    api.new_organization(stranger, "Elsewhere")
    assert_error(automation.request("GET", path, stranger), 404, "AUTO_001")
