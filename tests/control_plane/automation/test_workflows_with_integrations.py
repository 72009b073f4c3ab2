"""Workflows of the integrations' nodes executed by the engine, through the API, on a
control plane that lets workflows reach loopback (AUTOMATION_ALLOW_LOOPBACK): an HTTP
request, a chat message and an SMTP email in one execution, recorded node by node; the
integration's usage counted from the run ledger; a dry run that sends nothing; and no
secret in any execution record."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import fresh_database
from tests.control_plane.automation.conftest import (
    Automation,
    Web,
    chat_integration,
    smtp_integration,
)
from tests.control_plane.automation.test_secrets import holding
from tests.control_plane.conftest import Api, Inbox, serve, smtp_server
from tests.control_plane.studio.conftest import Team

MARK = "S3CR3T-flow-7f3a9c"


@pytest.fixture(scope="module")
def loopback_automation(
    pg_server: str, inbox: Inbox, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Automation]:
    data_dir: Path = tmp_path_factory.mktemp("cp-loopback")
    server = serve(fresh_database(pg_server), inbox, data_dir, automation_allow_loopback="true")
    client = Automation(Api(server, inbox))
    yield client
    server.stop()


def test_an_execution_of_integration_nodes(loopback_automation: Automation, web: Web) -> None:
    automation = loopback_automation
    team: Team = automation.studio.team("flow")
    admin = team.users["ADMIN"]
    project = automation.project(team)
    with smtp_server(Inbox()) as mailbox:
        port = mailbox.port  # type: ignore[attr-defined]
        mail = smtp_integration(automation, team, port, webhook_secret=MARK)
        chat = chat_integration(automation, team, web.url(f"/hook/{MARK}"))
        flow = automation.build(
            admin,
            project,
            {
                "Start": ("trigger", {}),
                "Order": (
                    "http_request",
                    {
                        "config": {
                            "method": "POST",
                            "url": web.url("/orders"),
                            "json": {"amount": "{{input_data.amount}}"},
                        }
                    },
                ),
                "Tell": (
                    "action",
                    {
                        "config": {
                            "action_type": "webhook",
                            "integration": chat["id"],
                            "text": "Order of {{input_data.amount}}",
                        }
                    },
                ),
                "Mail": (
                    "action",
                    {
                        "config": {
                            "action_type": "send_email",
                            "integration": mail["id"],
                            "recipient": "{{input_data.email}}",
                            "subject": "Order",
                            "body": "Amount {{input_data.amount}}",
                        }
                    },
                ),
            },
            [("Start", "Order"), ("Order", "Tell"), ("Tell", "Mail")],
        )
        tested = automation.request(
            "POST",
            f"/workflows/{flow.id}/test/",
            admin,
            json={"test_data": {"amount": 1, "email": "t@example.com"}},
        )
        assert tested.status_code == 200, tested.text
        assert web.received == [] and mailbox.messages == []  # a dry run sends nothing

        started = automation.execute(
            admin, flow.id, input_data={"amount": 120, "email": "ana@example.com"}
        )
        done = automation.wait_for(admin, started["execution_id"])
        assert done["status"] == "completed", done
        assert mailbox.wait_for("ana@example.com", "Order").get_content().strip() == "Amount 120"
    details = {d["node_name"]: d for d in done["execution_details"]}
    assert details["Order"]["output_data"]["status"] == 200
    assert details["Order"]["output_data"]["body"]["body"] == '{"amount": 120}'
    assert details["Tell"]["output_data"] == {"message_sent": True, "status": 200}
    assert details["Mail"]["output_data"]["email_sent"] is True
    assert [r.path for r in web.received] == ["/orders", f"/hook/{MARK}"]
    assert json.loads(web.received[1].body)["text"] == "Order of 120"
    used = automation.request("GET", f"/integrations/{mail['id']}/", admin).json()
    assert used["usage_statistics"]["emails_sent_today"] == 1
    assert MARK not in json.dumps(done)
    assert holding(automation.api, MARK) == []
