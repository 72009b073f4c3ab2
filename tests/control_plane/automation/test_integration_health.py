"""`POST /integrations/{id}/test/`: connections checked for real (an SMTP server with a
login, a PostgreSQL, a webhook under the outbound policy), kept as `health_status`; a
failed check makes the integration unusable by nodes until a check succeeds."""

from __future__ import annotations

from typing import Any

from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.control_plane.automation.conftest import Team, Web, automation, new_integration
from tests.control_plane.conftest import Api, Inbox, assert_error, smtp_server


def checked(api: Api, team: Team, integration: dict[str, Any]) -> dict[str, Any]:
    response = automation(api, "POST", f"/integrations/{integration['id']}/test/", team.admin)
    assert response.status_code == 200, response.text
    return dict(response.json())


def login(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    ok = isinstance(data, LoginPassword) and data.password == b"right"
    return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535


def test_smtp_login_checked(api: Api, team: Team) -> None:
    with smtp_server(Inbox(), authenticator=login, auth_require_tls=False) as inbox:
        mail = new_integration(
            api,
            team,
            name="Mail",
            type="email",
            provider="smtp",
            configuration={
                "host": "127.0.0.1",
                "port": inbox.port,  # type: ignore[attr-defined]
                "security": "none",
                "username": "robot",
                "password": "wrong",
                "from_email": "robot@example.com",
            },
        )
        assert mail["health_status"]["overall"] == "unknown"
        failed = checked(api, team, mail)
        assert failed["status"] == "error"
        assert failed["health_status"]["overall"] == "unhealthy"
        assert failed["health_status"]["api_connection"] == "failed"
        path = f"/integrations/{mail['id']}/"
        automation(api, "PUT", path, team.admin, json={"configuration": {"password": "right"}})
        healthy = checked(api, team, mail)
        assert (healthy["status"], healthy["health_status"]["overall"]) == ("configured", "healthy")
        assert healthy["health_status"]["last_check"].endswith("Z")
        assert inbox.messages == []  # checked, nothing sent


def test_database_and_webhook_checks(api: Api, team: Team, web: Web) -> None:
    good = new_integration(
        api,
        team,
        name="DB",
        type="database",
        provider="postgresql",
        configuration={"dsn": api.server.database_url},
    )
    assert checked(api, team, good)["health_status"]["overall"] == "healthy"
    bad = new_integration(
        api,
        team,
        name="Gone",
        type="database",
        provider="postgresql",
        configuration={"dsn": api.server.database_url + "_gone"},
    )
    assert checked(api, team, bad)["health_status"]["message"] == "OperationalError"
    hook = new_integration(  # the server does not allow loopback: the policy refuses it
        api,
        team,
        name="Hook",
        type="messaging",
        provider="slack",
        configuration={"webhook_url": web.url("/hook")},
    )
    assert checked(api, team, hook)["health_status"]["message"] == "OutboundRefused"
    assert web.received == []
    stripe = new_integration(
        api,
        team,
        name="Pay",
        type="payment",
        provider="stripe",
        configuration={"api_key": "sk_test_x"},
    )
    unknown = checked(api, team, stripe)
    assert unknown["health_status"]["api_connection"] == "not_checked"
    assert unknown["status"] == "configured"


def test_only_admins_check(api: Api, team: Team) -> None:
    stripe = new_integration(
        api,
        team,
        name="Pay",
        type="payment",
        provider="stripe",
        configuration={"api_key": "sk_test_x"},
    )
    path = f"/integrations/{stripe['id']}/test/"
    assert_error(automation(api, "POST", path, team.member), 403, "PERMISSION_DENIED")
    assert_error(automation(api, "POST", path, team.outsider), 404, "NOT_FOUND")
