"""`/executions/` and the execute/test endpoints: the seed's shapes, the list's filters and
isolation, cancel, retry from the failed node or from the start, the timeout (AUTO_006),
the dry run, the statistics and the notification mails."""

from __future__ import annotations

import uuid
from typing import Any

from tests.control_plane.automation.conftest import Automation, Workflow
from tests.control_plane.conftest import Inbox, assert_error
from tests.control_plane.studio.conftest import Team

CHAIN = {
    "Start": ("trigger", {}),
    "Price": ("transform", {"config": {"output": {"price": "{{input_data.qty * 10}}"}}}),
    "Total": ("transform", {"config": {"output": {"total": "{{price + input_data.tip}}"}}}),
}


def _chain(automation: Automation, team: Team, project: str, **workflow: Any) -> Workflow:
    return automation.build(
        team.users["MEMBER"], project, CHAIN, [("Start", "Price"), ("Price", "Total")], **workflow
    )


def test_execute_answers_the_seed_shape_and_lists_it(
    automation: Automation, team: Team, project: str
) -> None:
    member = team.users["MEMBER"]
    chain = _chain(automation, team, project)
    started = automation.execute(
        member, chain.id, input_data={"qty": 2, "tip": 1},
        execution_context={"triggered_by": member.email, "manual_execution": True},
    )  # fmt: skip
    assert set(started) == {
        "execution_id", "workflow_id", "status", "started_at", "estimated_duration", "input_data"
    }  # fmt: skip
    assert started["workflow_id"] == chain.id
    done = automation.wait_for(member, started["execution_id"])
    assert done["status"] == "completed"
    assert done["id"] == done["tracking_id"] == started["execution_id"]
    assert done["workflow"] == {"id": chain.id, "name": "Onboarding"}
    assert done["output_data"] == {"total": 21}
    assert done["performed_by"] == member.email
    assert done["trigger_type"] == "manual"
    assert [d["node_id"] for d in done["execution_details"]] == done["execution_path"]
    assert done["execution_path"] == [chain.nodes[name] for name in ("Start", "Price", "Total")]
    metrics = done["performance_metrics"]
    assert metrics["total_nodes"] == 3
    assert metrics["execution_path_length"] == 3
    assert metrics["memory_usage_mb"] is None
    assert metrics["api_calls_count"] == 0

    listed = automation.request("GET", "/executions/", member, params={"workflow": chain.id})
    assert listed.status_code == 200, listed.text
    page = listed.json()
    assert page["count"] == 1
    assert page["results"][0]["id"] == started["execution_id"]
    assert page["results"][0]["nodes_executed"] == 3


def test_the_list_filters_and_shows_only_the_callers_organisations(
    automation: Automation, team: Team, project: str
) -> None:
    member = team.users["MEMBER"]
    chain = _chain(automation, team, project)
    good = automation.execute(member, chain.id, input_data={"qty": 1, "tip": 0})
    bad = automation.execute(member, chain.id, input_data={"qty": "x"})
    automation.wait_for(member, good["execution_id"])
    automation.wait_for(member, bad["execution_id"])

    def ids(by: Any, **params: Any) -> list[str]:
        response = automation.request("GET", "/executions/", by, params=params)
        assert response.status_code == 200, response.text
        return [result["id"] for result in response.json()["results"]]

    assert ids(member, workflow=chain.id) == [bad["execution_id"], good["execution_id"]]
    assert ids(member, workflow=chain.id, status="failed") == [bad["execution_id"]]
    assert ids(member, workflow=chain.id, status="completed") == [good["execution_id"]]
    assert ids(member, workflow=chain.id, date_from="2999-01-01T00:00:00Z") == []
    assert ids(member, workflow=chain.id, date_to="2000-01-01T00:00:00Z") == []
    assert ids(team.users["CLIENT"], workflow=chain.id) == []

    stranger = automation.studio.team("strangers").owner
    assert ids(stranger, workflow=chain.id) == []
    for path in (f"/executions/{good['execution_id']}/", f"/executions/{bad['execution_id']}/"):
        assert_error(automation.request("GET", path, stranger), 404, "NOT_FOUND")
    for action in ("cancel", "retry"):
        response = automation.request(
            "POST", f"/executions/{bad['execution_id']}/{action}/", stranger
        )
        assert_error(response, 404, "NOT_FOUND")
    assert_error(automation.request("POST", f"/workflows/{chain.id}/execute/", stranger, json={}),
                 404, "AUTO_001")  # fmt: skip
    client = team.users["CLIENT"]
    assert_error(automation.request("POST", f"/workflows/{chain.id}/execute/", client, json={}),
                 403, "PERMISSION_DENIED")  # fmt: skip
    missing = automation.request("GET", f"/executions/{uuid.uuid4()}/", member)
    assert_error(missing, 404, "NOT_FOUND")
    bad_status = automation.request("GET", "/executions/", member, params={"status": "done"})
    assert_error(bad_status, 400, "VALIDATION_ERROR")


def test_retry_resumes_at_the_failed_node_with_the_earlier_outputs(
    automation: Automation, team: Team, project: str
) -> None:
    member = team.users["MEMBER"]
    chain = _chain(automation, team, project)
    started = automation.execute(member, chain.id, input_data={"qty": 3})  # no tip
    failed = automation.wait_for(member, started["execution_id"])
    assert failed["status"] == "failed"
    assert failed["error_code"] == "AUTO_007"
    assert [(d["node_name"], d["status"]) for d in failed["execution_details"]] == [
        ("Start", "completed"), ("Price", "completed"), ("Total", "failed"),
    ]  # fmt: skip
    assert failed["execution_details"][-1]["error_message"]

    # The fix: a default tip. The retry reuses Price's output and runs Total again.
    fixed = {"output": {"total": "{{price + 5}}"}}
    changed = automation.request(
        "PUT",
        f"/workflows/{chain.id}/nodes/{chain.nodes['Total']}/",
        member,
        json={"config": fixed},
    )
    assert changed.status_code == 200, changed.text
    retried = automation.request("POST", f"/executions/{failed['id']}/retry/", member)
    assert retried.status_code == 202, retried.text
    body = retried.json()
    assert body["original_execution_id"] == failed["id"]
    assert body["retry_from_node"] == chain.nodes["Total"]
    assert body["status"] == "running"
    again = automation.wait_for(member, body["new_execution_id"])
    assert again["status"] == "completed", again
    assert again["output_data"] == {"total": 35}
    assert again["retry_of"] == failed["id"]
    assert [d["node_name"] for d in again["execution_details"]] == ["Total"]

    conflict = automation.request("POST", f"/executions/{again['id']}/retry/", member)
    assert_error(conflict, 409, "CONFLICT")
    full = automation.request(
        "POST", f"/executions/{again['id']}/retry/", member, json={"from_start": True}
    )
    assert full.status_code == 202, full.text
    assert full.json()["retry_from_node"] is None
    rerun = automation.wait_for(member, full.json()["new_execution_id"])
    assert rerun["output_data"] == {"total": 35}
    assert [d["node_name"] for d in rerun["execution_details"]] == ["Start", "Price", "Total"]


def test_a_delay_waits_in_the_queue_and_a_cancel_stops_it(
    automation: Automation, team: Team, project: str
) -> None:
    member = team.users["MEMBER"]
    built = automation.delayed(
        member, project, {"minutes": 10}, {"late": True}, settings={"timeout_seconds": 3600}
    )
    started = automation.execute(member, built.id)
    waiting = automation.wait_for(member, started["execution_id"], "running")
    while [d["status"] for d in waiting["execution_details"]] != ["completed", "running"]:
        waiting = automation.wait_for(member, started["execution_id"], "running")
    assert waiting["execution_details"][1]["node_name"] == "Wait"
    retry = automation.request("POST", f"/executions/{started['execution_id']}/retry/", member)
    assert_error(retry, 409, "AUTO_005")

    cancelled = automation.request("POST", f"/executions/{started['execution_id']}/cancel/", member)
    assert cancelled.status_code == 200, cancelled.text
    body = cancelled.json()
    assert body["status"] == "cancelled"
    assert (body["nodes_completed"], body["nodes_remaining"]) == (1, 2)
    jobs = automation.api.query(
        "SELECT j.status::text FROM procrastinate_jobs j JOIN runs r ON r.job_id = j.id"
        " WHERE r.id = %s", uuid.UUID(started["execution_id"]),
    )  # fmt: skip
    assert jobs == [("cancelled",)]
    done = automation.wait_for(member, started["execution_id"])
    assert done["status"] == "cancelled"
    assert [d["status"] for d in done["execution_details"]] == ["completed", "cancelled"]
    again = automation.request("POST", f"/executions/{started['execution_id']}/cancel/", member)
    assert_error(again, 409, "CONFLICT")


def test_the_timeout_fails_the_run_with_auto_006(
    automation: Automation, team: Team, project: str
) -> None:
    member = team.users["MEMBER"]
    built = automation.delayed(
        member, project, {"seconds": 5}, {"late": True}, settings={"timeout_seconds": 2}
    )
    started = automation.execute(member, built.id)
    done = automation.wait_for(member, started["execution_id"])
    assert done["status"] == "failed"
    assert done["error_code"] == "AUTO_006"
    assert "timeout" in done["error_message"]


def test_a_dry_run_reports_without_waiting_or_sending(
    automation: Automation, team: Team, project: str, inbox: Inbox
) -> None:
    member = team.users["MEMBER"]
    address = f"dry-{uuid.uuid4().hex[:8]}@example.com"
    notifications = {"on_success": True, "on_failure": True, "email": address}
    built = automation.delayed(
        member,
        project,
        {"hours": 2},
        {"hello": "{{input_data.name}}"},
        settings={"notifications": notifications},
    )
    response = automation.request(
        "POST", f"/workflows/{built.id}/test/", member,
        json={"test_data": {"name": "Test"}, "test_mode": "dry_run", "capture_outputs": True},
    )  # fmt: skip
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "completed"
    results = body["test_results"]
    assert results["outputs"] == {"hello": "Test"}
    assert (results["nodes_executed"], results["nodes_success"], results["nodes_failed"]) == (
        3,
        3,
        0,
    )
    assert results["execution_path"] == [built.nodes[n] for n in ("Start", "Wait", "After")]
    assert results["performance"]["duration_seconds"] < 5
    assert body["validation_results"] == {
        "all_nodes_connected": True, "no_circular_dependencies": True,
        "all_required_inputs_provided": True,
    }  # fmt: skip
    statistics = automation.request("GET", f"/workflows/{built.id}/statistics/", member).json()
    assert statistics["statistics"]["executions_total"] == 0  # dry runs are not counted
    mails = automation.api.query("SELECT count(*) FROM mail_outbox WHERE recipient = %s", address)
    assert mails == [(0,)]
    assert inbox.to(address) == []


def test_statistics_of_a_workflow(automation: Automation, team: Team, project: str) -> None:
    member = team.users["MEMBER"]
    chain = _chain(automation, team, project)
    for input_data in ({"qty": 1, "tip": 1}, {"qty": 2, "tip": 2}, {"qty": 3}):
        started = automation.execute(member, chain.id, input_data=input_data)
        automation.wait_for(member, started["execution_id"])
    response = automation.request("GET", f"/workflows/{chain.id}/statistics/", team.users["CLIENT"])
    assert_error(response, 403, "PERMISSION_DENIED")
    body = automation.request("GET", f"/workflows/{chain.id}/statistics/", member).json()
    assert body["workflow_id"] == chain.id
    summary = body["statistics"]
    assert (summary["executions_total"], summary["executions_today"]) == (3, 3)
    assert summary["success_rate"] == round(2 / 3, 4)
    assert summary["error_rate"] == round(1 / 3, 4)
    assert summary["last_execution_status"] == "failed"
    performance = body["performance"]
    assert 0 <= performance["fastest_execution_seconds"] <= performance["slowest_execution_seconds"]
    assert [(d["executions"], d["successes"], d["failures"]) for d in body["usage_by_day"]] == [
        (3, 2, 1)
    ]
    workflow = automation.request("GET", f"/workflows/{chain.id}/", member).json()
    assert workflow["statistics"]["executions_today"] == 3
    assert workflow["statistics"]["executions_this_week"] == 3
    assert workflow["statistics"]["last_execution_status"] == "failed"
    assert workflow["statistics"]["average_execution_time_seconds"] >= 0
    total = f"/workflows/{chain.id}/nodes/{chain.nodes['Total']}/"
    node = automation.request("GET", total, member).json()["execution_statistics"]
    assert (node["executions_count"], node["success_count"], node["failure_count"]) == (3, 2, 1)
    assert node["average_execution_time_ms"] >= 0
    assert node["last_executed"] is not None


def test_notifications_mail_the_outcome(
    automation: Automation, team: Team, project: str, inbox: Inbox
) -> None:
    member = team.users["MEMBER"]
    address = f"ops-{uuid.uuid4().hex[:8]}@example.com"
    notifications = {"on_success": True, "on_failure": True, "email": address}
    chain = _chain(
        automation, team, project, name="Billing", settings={"notifications": notifications}
    )
    ok = automation.execute(member, chain.id, input_data={"qty": 1, "tip": 1})
    automation.wait_for(member, ok["execution_id"])
    mail = inbox.wait_for(address, "Workflow Billing: execution completed")
    assert ok["execution_id"] in mail.get_content()
    ko = automation.execute(member, chain.id, input_data={"qty": 1})
    automation.wait_for(member, ko["execution_id"])
    mail = inbox.wait_for(address, "Workflow Billing: execution failed")
    assert ko["execution_id"] in mail.get_content()


def test_the_caller_must_be_allowed_every_node(
    automation: Automation, team: Team, project: str
) -> None:
    """An ADMIN's node (an HTTP request) in the workflow: a MEMBER may not run it."""
    admin, member = team.users["ADMIN"], team.users["MEMBER"]
    built = automation.build(
        admin,
        project,
        {
            "Start": ("trigger", {}),
            "Call": ("http_request", {"config": {"url": "https://example.com/hook"}}),
        },
        [("Start", "Call")],
    )
    for action in ("execute", "test"):
        response = automation.request("POST", f"/workflows/{built.id}/{action}/", member, json={})
        assert_error(response, 403, "PERMISSION_DENIED")
    assert automation.api.query(
        "SELECT count(*) FROM automation_executions WHERE workflow_id = %s", uuid.UUID(built.id)
    ) == [(0,)]


def test_an_invalid_graph_is_not_run(automation: Automation, team: Team, project: str) -> None:
    member = team.users["MEMBER"]
    built = automation.build(
        member,
        project,
        {"Start": ("trigger", {}), "Orphan": ("transform", {})},
    )
    for action in ("execute", "test"):
        response = automation.request("POST", f"/workflows/{built.id}/{action}/", member, json={})
        details = assert_error(response, 400, "AUTO_002")
        assert details["node_id"] == built.nodes["Orphan"]
