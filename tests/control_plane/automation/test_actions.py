"""The `action` executor for real: emails through an SMTP integration and through the
platform's outbox (a real SMTP server, aiosmtpd), chat messages to a Slack-style
incoming webhook (a real HTTP server), and records written into a project's deployed
app (the generated CRM, served, registered as the project's app)."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import psycopg
import pytest

from control_plane.automation.engine.nodes import EXECUTORS, NodeFailed
from control_plane.automation.node_types import NodeType
from tests.conftest import RunningApp
from tests.control_plane.automation.conftest import (
    Automation,
    Place,
    Web,
    chat_integration,
    executing_in,
    new_integration,
    new_workflow,
    run_node,
    smtp_integration,
)
from tests.control_plane.conftest import Api, Inbox, User, smtp_server
from tests.control_plane.runtime.instance_fixture import project_id, register_app
from tests.control_plane.studio.conftest import Team

ACTION = NodeType.ACTION


def environment_issues(api: Api, place: Place, config: dict[str, Any]) -> list[Any]:
    async def scenario() -> list[Any]:
        async with executing_in(api, place) as here:
            return await EXECUTORS[ACTION].check_environment(
                config, here.organization_id, here.services
            )

    return asyncio.run(scenario())


EMAIL = {
    "action_type": "send_email",
    "recipient": "{{input_data.email}}",
    "subject": "Bienvenue {{input_data.name}}",
    "body": "Bonjour {{input_data.name}},\nmerci.",
}


def test_send_email_through_an_smtp_integration(
    api: Api, automation: Automation, team: Team, place: Place
) -> None:
    with smtp_server(Inbox()) as inbox:
        port = inbox.port  # type: ignore[attr-defined]
        integration = smtp_integration(automation, team, port, from_name="Robot")
        config = {**EMAIL, "integration": integration["id"]}
        output = run_node(
            api, place, ACTION, config, input_data={"email": "ana@example.com", "name": "Ana"}
        )
        assert output == {"email_sent": True, "via": "smtp", "integration": integration["id"]}
        message = inbox.wait_for("ana@example.com", "Bienvenue Ana")
        assert message["From"] == "Robot <robot@example.com>"
        assert message.get_content().splitlines() == ["Bonjour Ana,", "merci."]


def test_send_email_through_the_platforms_outbox(
    api: Api, inbox: Inbox, team: Team, place: Place
) -> None:
    output = run_node(
        api, place, ACTION, EMAIL, input_data={"email": "bo@example.com", "name": "Bo"}
    )
    assert output["email_sent"] is True and output["via"] == "outbox"
    [(recipient,)] = api.query("SELECT recipient FROM mail_outbox WHERE id = %s", output["mail_id"])
    assert recipient == "bo@example.com"
    assert inbox.wait_for("bo@example.com", "Bienvenue Bo").get_content().startswith("Bonjour Bo")


def test_a_header_with_a_line_break_fails_cleanly(
    api: Api, automation: Automation, team: Team, place: Place
) -> None:
    with smtp_server(Inbox()) as inbox:
        port = inbox.port  # type: ignore[attr-defined]
        integration = smtp_integration(automation, team, port, from_name="Robot")
        config = {**EMAIL, "integration": integration["id"]}
        data = {"email": "ana@example.com", "name": "Ana\r\nBcc: all@example.com"}
        with pytest.raises(NodeFailed) as failed:
            run_node(api, place, ACTION, config, input_data=data)
        assert failed.value.code == "AUTO_007"
        assert inbox.messages == []


def test_dry_runs_send_nothing(
    api: Api, team: Team, place: Place, web: Web, automation: Automation
) -> None:
    before = api.query("SELECT count(*) FROM mail_outbox")
    output = run_node(
        api, place, ACTION, EMAIL, input_data={"email": "c@example.com", "name": "C"}, dry_run=True
    )
    assert output == {
        "dry_run": {
            "would": "send an email",
            "recipient": "c@example.com",
            "subject": "Bienvenue C",
        }
    }
    assert api.query("SELECT count(*) FROM mail_outbox") == before
    chat = chat_integration(automation, team, web.url("/hook"), name="Hook")
    config = {"action_type": "webhook", "integration": chat["id"], "text": "hi"}
    assert run_node(api, place, ACTION, config, dry_run=True)["dry_run"]["text"] == "hi"
    assert web.received == []


def test_webhook_posts_to_the_messaging_integration(
    api: Api, team: Team, place: Place, web: Web, automation: Automation
) -> None:
    chat = new_integration(
        automation,
        team,
        name="Slack",
        type="messaging",
        provider="slack",
        configuration={
            "webhook_url": web.url("/services/T0/B0/secret-path"),
            "default_channel": "#sales",
            "bot_name": "WorkflowBot",
        },
    )
    config = {
        "action_type": "webhook",
        "integration": chat["id"],
        "text": "New client {{input_data.name}}",
    }
    output = run_node(api, place, ACTION, config, input_data={"name": "Ana"})
    assert output == {"message_sent": True, "status": 200}
    [received] = web.received
    assert received.path == "/services/T0/B0/secret-path"
    assert json.loads(received.body) == {
        "text": "New client Ana",
        "channel": "#sales",
        "username": "WorkflowBot",
    }
    with pytest.raises(NodeFailed, match="outbound policy"):
        run_node(api, place, ACTION, config, input_data={"name": "Ana"}, loopback=False)
    assert len(web.received) == 1


def test_integrations_that_cannot_be_used_are_auto_004(
    api: Api, team: Team, place: Place, web: Web, automation: Automation, outsider: tuple[User, str]
) -> None:
    chat = chat_integration(automation, team, web.url("/hook"))
    mail = smtp_integration(automation, team, 2525)
    outsiders = automation.request(
        "POST",
        "/integrations/",
        outsider[0],
        json={
            "organization_id": outsider[1],
            "name": "Theirs",
            "type": "messaging",
            "provider": "slack",
            "configuration": {"webhook_url": web.url("/theirs")},
        },
    ).json()
    automation.request(
        "PUT", f"/integrations/{chat['id']}/", team.users["ADMIN"], json={"status": "disabled"}
    )
    for integration in (chat["id"], mail["id"], outsiders["id"], str(uuid.uuid4()), "nope"):
        config = {"action_type": "webhook", "integration": integration, "text": "hi"}
        [issue] = environment_issues(api, place, config)
        assert (issue.field, issue.code) == ("config.integration", "AUTO_004")
        with pytest.raises(NodeFailed) as failed:
            run_node(api, place, ACTION, config)
        assert failed.value.code == "AUTO_004"
    assert web.received == []


def test_saved_as_built_checked_whole_before_a_run(api: Api, place: Place) -> None:
    """check() (at save) refuses bad values; the keys a run needs are missing() at
    validation (check_environment) and refused again by the run itself."""
    action = EXECUTORS[ACTION]
    assert [i.field for i in action.check({"action_type": "launch_rocket"})] == [
        "config.action_type"
    ]
    assert action.check({"action_type": "send_email", "subject": "s"}) == []
    fields = [i.field for i in action.check({"action_type": "create_record", "table": "Drop;"})]
    assert fields == ["config.table"]
    cases = [
        ({}, ["config.action_type"]),
        ({"action_type": "send_email", "subject": "s"}, ["config.recipient", "config.body"]),
        ({"action_type": "update_record", "table": "clients"}, ["config.data", "config.record_id"]),
        ({"action_type": "webhook"}, ["config.integration", "config.text"]),
    ]
    for config, missing in cases:
        assert [i.field for i in environment_issues(api, place, config)] == missing
    with pytest.raises(NodeFailed, match="config.recipient") as failed:
        run_node(api, place, ACTION, {"action_type": "send_email", "subject": "s", "body": "b"})
    assert failed.value.code == "AUTO_007"


@pytest.fixture
def crm_place(api: Api, team: Team, empty_crm: RunningApp) -> Place:
    """The served CRM registered as the deployed app of a project of the team's
    organisation, with a workflow made by its ADMIN."""
    register_app(api, team.organization, empty_crm)
    project = project_id(empty_crm)
    return Place(team.organization, project, new_workflow(api, project, team.users["ADMIN"]))


def test_create_and_update_records_through_the_deployed_app(
    api: Api, crm_place: Place, empty_crm: RunningApp
) -> None:
    created = run_node(
        api,
        crm_place,
        ACTION,
        {
            "action_type": "create_record",
            "table": "clients",
            "data": {"nom": "{{input_data.name}}", "email": "{{input_data.email}}"},
        },
        input_data={"name": "Ana Lima", "email": "ana@example.com"},
    )
    assert created["created"] is True and created["record"]["nom"] == "Ana Lima"
    record_id = created["record_id"]
    updated = run_node(
        api,
        crm_place,
        ACTION,
        {
            "action_type": "update_record",
            "table": "clients",
            "record_id": "{{input_data.id}}",
            "data": {"adresse": "Paris"},
        },
        input_data={"id": record_id},
    )
    assert updated["updated"] is True and updated["record_id"] == record_id
    with psycopg.connect(empty_crm.database_url) as connection:
        rows = connection.execute("SELECT nom, email, adresse FROM clients").fetchall()
    assert rows == [("Ana Lima", "ana@example.com", "Paris")]
    with pytest.raises(NodeFailed) as refused:  # the app's own validation
        run_node(
            api,
            crm_place,
            ACTION,
            {"action_type": "create_record", "table": "clients", "data": {"nom": "x"}},
        )
    assert refused.value.code == "RUNTIME_002" and "email" in str(refused.value)
    with pytest.raises(NodeFailed) as elsewhere:
        config = {
            "action_type": "create_record",
            "table": "clients",
            "data": {},
            "environment": "staging",
        }
        run_node(api, crm_place, ACTION, config)
    assert elsewhere.value.code == "APP_NOT_DEPLOYED"
