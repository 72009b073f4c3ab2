"""Webhook triggers over real HTTP: a signed call or one with the secret starts an
execution with the body as its input (202 at once, or 200 with the output when the
workflow waits for its last node); a bad signature, a missing one, a body that is not a
JSON object, an unknown or inactive workflow are refused and start nothing."""

from __future__ import annotations

import uuid

import httpx

from tests.control_plane.automation.conftest import Automation
from tests.control_plane.automation.triggering import (
    call_webhook,
    executions_of,
    finished_executions,
    signature,
    signed,
    webhook_workflow,
)
from tests.control_plane.conftest import assert_error
from tests.control_plane.studio.conftest import Team


def _activated(automation: Automation, team: Team, workflow: str) -> tuple[str, str]:
    """(webhook URL on the test server, secret)."""
    body = automation.request(
        "POST", f"/workflows/{workflow}/activate/", team.users["MEMBER"]
    ).json()
    url = body["webhook_url"].replace("http://cp.test", automation.api.server.base_url)
    return url, body["webhook_secret"]


def test_a_webhook_starts_an_execution_with_its_body(
    automation: Automation, team: Team, project: str
) -> None:
    workflow = webhook_workflow(automation, team, project)
    url, secret = _activated(automation, team, workflow.id)

    response = call_webhook(automation.api, url, secret, {"name": "Ada"})
    assert response.status_code == 202, response.text
    accepted = response.json()
    assert set(accepted) == {"execution_id", "workflow_id", "status", "started_at"}
    assert accepted["workflow_id"] == workflow.id and accepted["status"] == "running"
    # Acknowledged means recorded: the run exists when the sender is answered.
    assert accepted["execution_id"] in {
        str(row.id) for row in executions_of(automation.api, workflow.id)
    }

    # The secret itself, for senders that cannot sign.
    plain = httpx.post(url, json={"name": "Grace"}, headers={"X-Nocode-Webhook-Secret": secret})
    assert plain.status_code == 202, plain.text

    [first, second] = finished_executions(automation.api, workflow.id, 2)
    assert str(first.id) == accepted["execution_id"]
    assert (first.status, first.trigger_type) == ("success", "webhook")
    assert first.input_data == {"name": "Ada"} and second.input_data == {"name": "Grace"}
    assert first.output_data == {"greeting": "Ada"}


def test_bad_webhook_calls_are_refused_and_start_nothing(
    automation: Automation, team: Team, project: str
) -> None:
    workflow = webhook_workflow(automation, team, project)
    url, secret = _activated(automation, team, workflow.id)
    raw, headers = signed(secret, {"name": "Ada"})

    tampered = httpx.post(url, content=raw.replace(b"Ada", b"Eve"), headers=headers)
    assert "X-Nocode-Signature" in assert_error(tampered, 401, "NOT_AUTHENTICATED")
    wrong_key = httpx.post(url, content=raw, headers=signed("whsec_guess", {"name": "Ada"})[1])
    assert_error(wrong_key, 401, "NOT_AUTHENTICATED")
    unsigned = httpx.post(url, json={"name": "Ada"})
    assert_error(unsigned, 401, "NOT_AUTHENTICATED")
    wrong_secret = httpx.post(url, json={}, headers={"X-Nocode-Webhook-Secret": secret[:-1]})
    assert_error(wrong_secret, 401, "NOT_AUTHENTICATED")
    # A user's token is not the webhook's secret.
    as_user = httpx.post(url, json={}, headers=team.users["OWNER"].headers)
    assert_error(as_user, 401, "NOT_AUTHENTICATED")

    for body in (b"[1, 2]", b"{not json", b'"text"'):
        response = httpx.post(url, content=body, headers=signature(secret, body))
        assert "body" in assert_error(response, 400, "AUTO_007")

    unknown = url.replace(workflow.id, str(uuid.uuid4()))
    assert_error(call_webhook(automation.api, unknown, secret, {}), 404, "AUTO_001")
    draft = webhook_workflow(automation, team, project)
    draft_url = url.replace(workflow.id, draft.id)
    assert_error(call_webhook(automation.api, draft_url, secret, {}), 404, "AUTO_001")
    assert executions_of(automation.api, workflow.id) == []
    assert executions_of(automation.api, draft.id) == []


def test_a_webhook_that_waits_answers_with_the_output(
    automation: Automation, team: Team, project: str
) -> None:
    workflow = webhook_workflow(
        automation, team, project, trigger_config={"respond": "when_last_node_finishes"}
    )
    url, secret = _activated(automation, team, workflow.id)
    response = call_webhook(automation.api, url, secret, {"name": "Ada"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "completed" and body["output_data"] == {"greeting": "Ada"}
    [execution] = executions_of(automation.api, workflow.id)
    assert str(execution.id) == body["execution_id"] and execution.status == "success"

    # A failed execution answers with the seed's envelope and its code.
    failing = automation.build(
        team.users["MEMBER"],
        project,
        {
            "Hook": ("trigger", {}),
            "Check": ("condition", {"config": {"condition": "input_data.name"}}),
        },
        [("Hook", "Check")],
        trigger_type="webhook",
        trigger_config={"respond": "when_last_node_finishes"},
    )
    url, secret = _activated(automation, team, failing.id)
    response = call_webhook(automation.api, url, secret, {"name": "not a boolean"})
    details = assert_error(response, 400, "AUTO_007")
    [failed] = executions_of(automation.api, failing.id)
    assert details["execution_id"] == str(failed.id) and failed.status == "failed"
