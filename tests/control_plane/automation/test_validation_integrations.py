"""`GET /workflows/{id}/validate/` with the integrations' executors: a node whose
integration cannot be used is an AUTO_004 issue (can_execute false) until it can, and a
node saved before its required keys is an AUTO_007 issue naming them."""

from __future__ import annotations

from tests.control_plane.automation.conftest import Automation, chat_integration
from tests.control_plane.studio.conftest import Team


def test_validate_names_unusable_integrations_and_missing_keys(
    automation: Automation, team: Team, project: str
) -> None:
    admin = team.users["ADMIN"]
    chat = chat_integration(automation, team, "https://hooks.example.com/services/x")
    flow = automation.build(
        admin,
        project,
        {
            "Start": ("trigger", {}),
            "Tell": (
                "action",
                {"config": {"action_type": "webhook", "integration": chat["id"], "text": "hi"}},
            ),
            "Mail": ("action", {"config": {"action_type": "send_email", "subject": "s"}}),
        },
        [("Start", "Tell"), ("Tell", "Mail")],
    )

    def issues() -> list[tuple[str, str, str]]:
        response = automation.request("GET", f"/workflows/{flow.id}/validate/", admin)
        assert response.status_code == 200, response.text
        report = response.json()
        found = [(i["node_id"], i["code"], i["field"]) for i in report["issues"]]
        assert report["can_execute"] is (not found)
        return found

    mail_missing = [
        (flow.nodes["Mail"], "AUTO_007", "config.recipient"),
        (flow.nodes["Mail"], "AUTO_007", "config.body"),
    ]
    assert issues() == mail_missing
    path = f"/integrations/{chat['id']}/"
    automation.request("PUT", path, admin, json={"status": "disabled"})
    assert issues() == [(flow.nodes["Tell"], "AUTO_004", "config.integration"), *mail_missing]
    automation.request("PUT", path, admin, json={"status": "configured"})
    mail_path = f"/workflows/{flow.id}/nodes/{flow.nodes['Mail']}/"
    complete = {
        "action_type": "send_email",
        "subject": "s",
        "recipient": "a@example.com",
        "body": "b",
    }
    assert automation.request("PUT", mail_path, admin, json={"config": complete}).status_code == 200
    assert issues() == []
