"""`/integrations/` on a real server: CRUD, secrets write-only and encrypted at rest,
roles and organisations, the audit log, and providers' signed calls back."""

from __future__ import annotations

import json
import uuid

from control_plane.automation.services.integration_webhooks import SIGNATURE_HEADER, signature
from tests.control_plane.automation.conftest import Automation, new_integration
from tests.control_plane.conftest import Api, User, assert_error
from tests.control_plane.studio.conftest import Team

STRIPE = {
    "name": "Stripe Payments",
    "type": "payment",
    "provider": "stripe",
    "configuration": {
        "api_key": "sk_test_not-a-real-key-123",
        "webhook_secret": "whsec_not-a-real-secret-456",
        "default_currency": "EUR",
    },
    "settings": {"test_mode": True},
}


def test_create_shows_secrets_only_as_configured(
    api: Api, team: Team, automation: Automation
) -> None:
    created = new_integration(automation, team, **STRIPE)
    assert created["tracking_id"] == created["id"]
    assert created["status"] == "configured"
    assert created["configuration"] == {
        "default_currency": "EUR",
        "api_key_configured": True,
        "webhook_secret_configured": True,
    }
    assert created["settings"] == {"test_mode": True}
    assert created["webhook_endpoint"] == (
        f"http://cp.test/api/v1/automation/integrations/{created['id']}/webhook/"
    )
    assert created["usage_statistics"]["node_runs_today"] == 0
    [(configuration, secrets)] = api.query(
        "SELECT configuration::text, secrets FROM automation_integrations WHERE id = %s",
        uuid.UUID(created["id"]),
    )
    for secret in ("sk_test_not-a-real-key-123", "whsec_not-a-real-secret-456"):
        assert secret not in configuration
        assert secret.encode() not in bytes(secrets)
    fetched = automation.request("GET", f"/integrations/{created['id']}/", team.users["MEMBER"])
    assert fetched.status_code == 200, fetched.text
    assert fetched.json()["configuration"] == created["configuration"]


def test_list_update_delete(api: Api, team: Team, automation: Automation) -> None:
    created = new_integration(
        automation,
        team,
        name="Chat",
        type="messaging",
        provider="slack",
        configuration={"webhook_url": "https://hooks.example.com/T/B/x", "bot_name": "Bot"},
    )
    listed = automation.request(
        "GET", f"/integrations/?organization={team.organization}", team.users["MEMBER"]
    )
    assert listed.status_code == 200, listed.text
    assert created["id"] in [item["id"] for item in listed.json()["results"]]
    path = f"/integrations/{created['id']}/"
    changed = automation.request(
        "PUT",
        path,
        team.users["ADMIN"],
        json={"name": "Team chat", "configuration": {"default_channel": "#ops", "bot_name": None}},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["name"] == "Team chat"
    assert changed.json()["configuration"] == {
        "default_channel": "#ops",
        "webhook_url_configured": True,
    }
    disabled = automation.request("PUT", path, team.users["ADMIN"], json={"status": "disabled"})
    assert disabled.json()["status"] == "disabled"
    assert automation.request("DELETE", path, team.users["ADMIN"]).status_code == 204
    assert_error(automation.request("GET", path, team.users["ADMIN"]), 404, "NOT_FOUND")


def test_bad_configurations_are_refused(api: Api, team: Team, automation: Automation) -> None:
    body = {"organization_id": team.organization, "name": "Mail", "type": "email"}
    cases = [
        ({"provider": "carrier-pigeon"}, "provider"),
        ({"provider": "slack"}, "provider"),  # a messaging provider for an email integration
        ({"provider": "smtp", "configuration": {"from_email": "a@b.c"}}, "configuration.host"),
        (
            {"provider": "smtp", "configuration": {"host": "h", "from_email": "a@b.c", "x": 1}},
            "configuration.x",
        ),
        (
            {"provider": "smtp", "configuration": {"host": {"a": 1}, "from_email": "a@b.c"}},
            "configuration.host",
        ),
        (
            {"provider": "smtp", "configuration": {"host": "h", "from_email": "a", "port": 0}},
            "configuration.port",
        ),
    ]
    for extra, field in cases:
        response = automation.request(
            "POST", "/integrations/", team.users["ADMIN"], json={**body, **extra}
        )
        assert field in assert_error(response, 400, "VALIDATION_ERROR"), response.text
    created = new_integration(
        automation,
        team,
        name="Mail",
        type="email",
        provider="smtp",
        configuration={"host": "mail.example.com", "from_email": "a@example.com"},
    )
    removing = {"configuration": {"host": None}}
    response = automation.request(
        "PUT", f"/integrations/{created['id']}/", team.users["ADMIN"], json=removing
    )
    assert "configuration.host" in assert_error(response, 400, "VALIDATION_ERROR")


def test_roles_and_organizations(
    api: Api, team: Team, automation: Automation, outsider: tuple[User, str]
) -> None:
    created = new_integration(automation, team, **STRIPE)
    path = f"/integrations/{created['id']}/"
    body = {"organization_id": team.organization, **STRIPE}
    assert_error(
        automation.request("POST", "/integrations/", team.users["MEMBER"], json=body),
        403,
        "PERMISSION_DENIED",
    )
    assert_error(
        automation.request("PUT", path, team.users["MEMBER"], json={"name": "x"}),
        403,
        "PERMISSION_DENIED",
    )
    assert_error(automation.request("DELETE", path, team.users["MEMBER"]), 403, "PERMISSION_DENIED")
    assert_error(automation.request("GET", path, team.users["CLIENT"]), 403, "PERMISSION_DENIED")
    listing = f"/integrations/?organization={team.organization}"
    assert_error(automation.request("GET", listing, team.users["CLIENT"]), 403, "PERMISSION_DENIED")
    for method in ("GET", "DELETE"):
        assert_error(automation.request(method, path, outsider[0]), 404, "NOT_FOUND")
    assert_error(automation.request("GET", listing, outsider[0]), 404, "NOT_FOUND")
    assert_error(automation.http.request("GET", path), 401, "NOT_AUTHENTICATED")


def test_audit_entries_name_keys_never_values(api: Api, team: Team, automation: Automation) -> None:
    created = new_integration(automation, team, **STRIPE)
    automation.request(
        "PUT",
        f"/integrations/{created['id']}/",
        team.users["ADMIN"],
        json={"configuration": {"api_key": "sk_test_rotated-789"}},
    )
    entries = api.query(
        "SELECT action, details::text FROM audit_log WHERE object_id = %s ORDER BY id",
        created["id"],
    )
    assert [action for action, _ in entries] == ["integration.create", "integration.update"]
    for _, details in entries:
        for secret in ("sk_test_not-a-real-key-123", "whsec_not", "sk_test_rotated-789"):
            assert secret not in details
    assert "api_key" in entries[1][1]


def test_signed_calls_back_become_platform_events(
    api: Api, team: Team, automation: Automation
) -> None:
    created = new_integration(automation, team, **STRIPE)
    path = f"/integrations/{created['id']}/webhook/"
    body = json.dumps({"type": "payment_intent.succeeded", "amount": 1200}).encode()
    good = signature("whsec_not-a-real-secret-456", body)
    answer = automation.http.request("POST", path, content=body, headers={SIGNATURE_HEADER: good})
    assert answer.status_code == 202, answer.text
    [(name, payload, organization)] = api.query(
        "SELECT name, payload, organization_id::text FROM platform_events WHERE id = %s",
        answer.json()["event_id"],
    )
    assert (name, organization) == ("integration.webhook", team.organization)
    assert payload["body"] == {"type": "payment_intent.succeeded", "amount": 1200}
    assert payload["integration_id"] == created["id"]
    before = api.query("SELECT count(*) FROM platform_events")
    wrong = signature("whsec_guessed", body)
    for headers in ({SIGNATURE_HEADER: wrong}, {}, {SIGNATURE_HEADER: good + "0"}):
        response = automation.http.request("POST", path, content=body, headers=headers)
        assert_error(response, 401, "INVALID_SIGNATURE")
    tampered = body.replace(b"1200", b"9999")
    response = automation.http.request(
        "POST", path, content=tampered, headers={SIGNATURE_HEADER: good}
    )
    assert_error(response, 401, "INVALID_SIGNATURE")
    unknown = f"/integrations/{uuid.uuid4()}/webhook/"
    response = automation.http.request(
        "POST", unknown, content=body, headers={SIGNATURE_HEADER: good}
    )
    assert_error(response, 401, "INVALID_SIGNATURE")
    disable = {"status": "disabled"}
    automation.request("PUT", f"/integrations/{created['id']}/", team.users["ADMIN"], json=disable)
    response = automation.http.request("POST", path, content=body, headers={SIGNATURE_HEADER: good})
    assert_error(response, 401, "INVALID_SIGNATURE")
    assert api.query("SELECT count(*) FROM platform_events") == before
