"""`/workflows/{id}/validate/` and `services.validation`: the seed's report, each check
failing on its own (AUTO_002 not connected, AUTO_003 a cycle through no loop node, AUTO_007
a missing input, a bad config, no trigger), and `raise_if_invalid` answering with the
first issue's code."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import psycopg
import pytest

from control_plane.automation.services.validation import raise_if_invalid, validate
from control_plane.errors import ApiError
from tests.control_plane.automation.conftest import Automation, Workflow
from tests.control_plane.conftest import Api, assert_error
from tests.control_plane.studio.conftest import Team

CHECKS = [
    "nodes_connected",
    "no_circular_dependencies",
    "required_inputs",
    "integration_availability",
]
CONDITION = {"config": {"condition": "input_data.client_exists == true"}}


def _report(automation: Automation, team: Team, workflow: str) -> dict[str, Any]:
    response = automation.request("GET", f"/workflows/{workflow}/validate/", team.users["MEMBER"])
    assert response.status_code == 200, response.text
    return dict(response.json())


def _failed(report: dict[str, Any]) -> list[str]:
    return [check["check"] for check in report["checks"] if check["status"] == "failed"]


def test_a_valid_workflow(automation: Automation, team: Team, project: str) -> None:
    built = automation.build(
        team.owner,
        project,
        {
            "start": ("trigger", {"outputs": [{"name": "client_data", "type": "object"}]}),
            "check": (
                "condition",
                {**CONDITION, "inputs": [{"name": "client_data", "required": True}]},
            ),
        },
        [("start", "check")],
    )
    report = _report(automation, team, built.id)
    assert report["workflow_id"] == built.id
    assert report["validation_status"] == "valid" and report["can_execute"] is True
    assert [check["check"] for check in report["checks"]] == CHECKS
    assert all(check["status"] == "passed" for check in report["checks"]), report["checks"]
    assert report["issues"] == []


def test_each_issue(automation: Automation, team: Team, project: str) -> None:
    owner = team.owner
    orphan = automation.build(
        owner,
        project,
        {"start": ("trigger", {}), "linked": ("delay", {}), "orphan": ("delay", {})},
        [("start", "linked")],
    )
    report = _report(automation, team, orphan.id)
    assert report["validation_status"] == "invalid" and report["can_execute"] is False
    assert _failed(report) == ["nodes_connected"]
    assert [(i["code"], i["type"], i["node_id"]) for i in report["issues"]] == [
        ("AUTO_002", "node_not_connected", orphan.nodes["orphan"])
    ]

    cycle = automation.build(
        owner,
        project,
        {"start": ("trigger", {}), "a": ("transform", {}), "b": ("transform", {})},
        [("start", "a"), ("a", "b"), ("b", "a")],
    )
    report = _report(automation, team, cycle.id)
    assert _failed(report) == ["no_circular_dependencies"]
    assert [(i["code"], i["node_id"]) for i in report["issues"]] == [("AUTO_003", cycle.nodes["a"])]
    looped = automation.build(
        owner,
        project,
        {"start": ("trigger", {}), "each": ("loop", {}), "body": ("transform", {})},
        [("start", "each"), ("each", "body"), ("body", "each")],
    )
    assert _report(automation, team, looped.id)["issues"] == []

    needs = automation.build(
        owner,
        project,
        {
            "start": ("trigger", {"inputs": [{"name": "client_email", "required": True}]}),
            "check": ("condition", {**CONDITION, "outputs": [{"name": "vip"}]}),
            "send": (
                "delay",
                {
                    "inputs": [
                        {"name": "client_email", "required": True},
                        {"name": "vip", "required": True},
                        {"name": "task_id", "required": True},
                        {"name": "note"},
                    ]
                },
            ),
        },
        [("start", "check"), ("check", "send")],
    )
    report = _report(automation, team, needs.id)
    assert _failed(report) == ["required_inputs"]
    assert [(i["code"], i["type"], i["node_id"], i["field"]) for i in report["issues"]] == [
        ("AUTO_007", "missing_input", needs.nodes["send"], "inputs.task_id")
    ]

    # A config saved before a check existed (or written behind the API) is still caught.
    automation.api.query(
        'UPDATE automation_nodes SET config = \'{"condition": "(("}\' WHERE id = %s',
        uuid.UUID(needs.nodes["check"]),
    )
    report = _report(automation, team, needs.id)
    assert ("AUTO_007", "invalid_config", "config.condition") in [
        (i["code"], i["type"], i["field"]) for i in report["issues"]
    ]

    empty = automation.workflow(owner, project)["id"]
    report = _report(automation, team, empty)
    assert _failed(report) == ["nodes_connected"]
    assert [(i["code"], i["type"]) for i in report["issues"]] == [("AUTO_007", "trigger_count")]


async def _validated(database_url: str, workflow: str, organization: str) -> None:
    async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as connection:
        report = await validate(connection, uuid.UUID(workflow), uuid.UUID(organization))
        assert report.checks[-1].status == "warning"  # no services: integrations not looked at
        raise_if_invalid(report)


@pytest.mark.parametrize(
    ("shape", "code"),
    [
        (({"t": "trigger", "x": "delay"}, []), "AUTO_002"),
        (
            ({"t": "trigger", "a": "delay", "b": "delay"}, [("t", "a"), ("a", "b"), ("b", "a")]),
            "AUTO_003",
        ),
        (({"x": "delay"}, []), "AUTO_007"),
    ],
)
def test_raise_if_invalid_answers_the_first_issue(
    automation: Automation,
    team: Team,
    project: str,
    shape: tuple[dict[str, str], list[tuple[str, str]]],
    code: str,
) -> None:
    types, edges = shape
    built: Workflow = automation.build(
        team.owner, project, {name: (kind, {}) for name, kind in types.items()}, edges
    )
    database = automation.api.server.database_url
    with pytest.raises(ApiError) as raised:
        asyncio.run(_validated(database, built.id, team.organization))
    assert raised.value.kind.code == code


def test_valid_workflow_raises_nothing_and_other_organisation_is_refused(
    automation: Automation, team: Team, project: str
) -> None:
    built = automation.build(team.owner, project, {"t": ("trigger", {})})
    database = automation.api.server.database_url
    asyncio.run(_validated(database, built.id, team.organization))
    with pytest.raises(ApiError) as raised:
        asyncio.run(_validated(database, built.id, str(uuid.uuid4())))
    assert raised.value.kind.code == "AUTO_001"


def test_roles_and_isolation(automation: Automation, api: Api, team: Team, project: str) -> None:
    workflow = automation.workflow(team.owner, project)["id"]
    path = f"/workflows/{workflow}/validate/"
    assert_error(automation.request("GET", path, team.users["CLIENT"]), 403, "PERMISSION_DENIED")
    stranger = api.new_user("stranger")
    api.new_organization(stranger, "Elsewhere")
    assert_error(automation.request("GET", path, stranger), 404, "AUTO_001")
    assert_error(
        automation.request("GET", f"/workflows/{uuid.uuid4()}/validate/", team.owner),
        404,
        "AUTO_001",
    )
