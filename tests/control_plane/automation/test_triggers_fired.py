"""Event triggers on the real server: a platform event starts the active `event`
workflows of its project that listen to it, once each (a `table` narrows record events;
another project's workflows and inactive ones stay still)."""

from __future__ import annotations

import time
import uuid
from typing import Any

from tests.control_plane.automation.conftest import Automation, Workflow
from tests.control_plane.automation.triggering import (
    ExecutionRow,
    emit,
    executions_of,
    finished_executions,
)
from tests.control_plane.studio.conftest import Team, seed_table

ECHO = ("transform", {"config": {"output": {"seen": "{{input_data.event.name}}"}}})


def event_workflow(
    automation: Automation, team: Team, project: str, **trigger_config: Any
) -> Workflow:
    workflow = automation.build(
        team.users["MEMBER"],
        project,
        {"On event": ("trigger", {}), "Echo": ECHO},
        [("On event", "Echo")],
        trigger_type="event",
        trigger_config=trigger_config,
    )
    response = automation.request(
        "POST", f"/workflows/{workflow.id}/activate/", team.users["MEMBER"]
    )
    assert response.status_code == 200 and response.json()["status"] == "active", response.text
    return workflow


def by_event(rows: list[ExecutionRow]) -> list[ExecutionRow]:
    """Executions in the order of their events (one dispatch starts several at once)."""
    return sorted(rows, key=lambda row: int(row.execution_context["event_id"]))


def test_a_published_project_fires_its_event_workflows_once(
    automation: Automation, team: Team
) -> None:
    project = automation.project(team, "Published events")
    other = automation.project(team, "Other project")
    published = event_workflow(automation, team, project, event="project.published")
    elsewhere = event_workflow(automation, team, other, event="project.published")
    stopped = event_workflow(automation, team, project, event="project.published")
    automation.request("POST", f"/workflows/{stopped.id}/deactivate/", team.users["MEMBER"])

    automation.studio.add_table(team.owner, project, seed_table("clients"))
    automation.studio.publish(team.owner, project)
    [execution] = finished_executions(automation.api, published.id, 1)
    assert (execution.status, execution.trigger_type) == ("success", "event")
    assert execution.input_data["version"] == "1.0.0"
    assert execution.input_data["event"]["name"] == "project.published"
    assert execution.output_data == {"seen": "project.published"}
    time.sleep(1)  # nothing else comes
    assert len(executions_of(automation.api, published.id)) == 1
    assert executions_of(automation.api, elsewhere.id) == []
    assert executions_of(automation.api, stopped.id) == []


def test_record_events_fire_the_workflows_of_their_table(
    automation: Automation, team: Team
) -> None:
    project = automation.project(team, "Record events")
    clients = event_workflow(automation, team, project, event="record.created", table="clients")
    any_table = event_workflow(automation, team, project, event="record.created")
    for table in ("clients", "produits", "clients"):
        record = {"table": table, "record_id": str(uuid.uuid4()), "record": {"nom": "Jean"}}
        emit(automation.api, team.organization, project, "record.created", record)
    emit(automation.api, team.organization, project, "record.deleted", {"table": "clients"})
    fired = by_event(finished_executions(automation.api, clients.id, 2))
    assert [row.input_data["table"] for row in fired] == ["clients", "clients"]
    assert fired[0].input_data["record"] == {"nom": "Jean"}
    every = by_event(finished_executions(automation.api, any_table.id, 3))
    assert [row.input_data["table"] for row in every] == ["clients", "produits", "clients"]
    assert len({row.execution_context["event_id"] for row in every}) == 3
