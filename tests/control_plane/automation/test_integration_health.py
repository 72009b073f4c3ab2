"""`POST /integrations/{id}/test/`: connections checked for real (an SMTP server with a
login, a PostgreSQL, a webhook under the outbound policy), kept as `health_status`; a
failed check makes the integration unusable by nodes until a check succeeds."""

from __future__ import annotations

from typing import Any

from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.control_plane.automation.conftest import (
    Automation,
    Web,
    chat_integration,
    new_integration,
    smtp_integration,
)
from tests.control_plane.conftest import Api, Inbox, User, assert_error, smtp_server
from tests.control_plane.studio.conftest import Team

PAYMENT = {
    "name": "Pay",
    "type": "payment",
    "provider": "stripe",
    "configuration": {"api_key": "sk_test_x"},
}


def checked(automation: Automation, team: Team, integration: dict[str, Any]) -> dict[str, Any]:
    response = automation.request(
        "POST", f"/integrations/{integration['id']}/test/", team.users["ADMIN"]
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def login(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    ok = isinstance(data, LoginPassword) and data.password == b"right"
    return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535


def test_smtp_login_checked(api: Api, team: Team, automation: Automation) -> None:
    with smtp_server(Inbox(), authenticator=login, auth_require_tls=False) as inbox:
        port = inbox.port  # type: ignore[attr-defined]
        mail = smtp_integration(automation, team, port, username="robot", password="wrong")
        assert mail["health_status"]["overall"] == "unknown"
        failed = checked(automation, team, mail)
        assert failed["status"] == "error"
        assert failed["health_status"]["overall"] == "unhealthy"
        assert failed["health_status"]["api_connection"] == "failed"
        path = f"/integrations/{mail['id']}/"
        automation.request(
            "PUT", path, team.users["ADMIN"], json={"configuration": {"password": "right"}}
        )
        healthy = checked(automation, team, mail)
        assert (healthy["status"], healthy["health_status"]["overall"]) == ("configured", "healthy")
        assert healthy["health_status"]["last_check"].endswith("Z")
        assert inbox.messages == []  # checked, nothing sent


def test_database_and_webhook_checks(
    api: Api, team: Team, web: Web, automation: Automation
) -> None:
    good = new_integration(
        automation,
        team,
        name="DB",
        type="database",
        provider="postgresql",
        configuration={"dsn": api.server.database_url},
    )
    assert checked(automation, team, good)["health_status"]["overall"] == "healthy"
    bad = new_integration(
        automation,
        team,
        name="Gone",
        type="database",
        provider="postgresql",
        configuration={"dsn": api.server.database_url + "_gone"},
    )
    assert checked(automation, team, bad)["health_status"]["message"] == "OperationalError"
    # the server does not allow loopback: the policy refuses it
    hook = chat_integration(automation, team, web.url("/hook"), name="Hook")
    assert checked(automation, team, hook)["health_status"]["message"] == "OutboundRefused"
    assert web.received == []
    stripe = new_integration(automation, team, **PAYMENT)
    unknown = checked(automation, team, stripe)
    assert unknown["health_status"]["api_connection"] == "not_checked"
    assert unknown["status"] == "configured"


def test_only_admins_check(
    api: Api, team: Team, automation: Automation, outsider: tuple[User, str]
) -> None:
    stripe = new_integration(automation, team, **PAYMENT)
    path = f"/integrations/{stripe['id']}/test/"
    assert_error(automation.request("POST", path, team.users["MEMBER"]), 403, "PERMISSION_DENIED")
    assert_error(automation.request("POST", path, outsider[0]), 404, "NOT_FOUND")
