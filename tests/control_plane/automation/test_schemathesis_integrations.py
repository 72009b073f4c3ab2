"""Schemathesis on `/integrations/` and `/action-templates/`, with the path and query
parameters naming a real organisation and integration of the caller (an OWNER), so that
requests reach the provider checks, the vault and the SQL: no answer may be a 5xx."""

from __future__ import annotations

from pathlib import Path

from tests.control_plane.conftest import Api, Inbox, Server, fuzz


def test_no_server_error_on_integrations(own_server: Server, inbox: Inbox, tmp_path: Path) -> None:
    api = Api(own_server, inbox)
    owner = api.new_user("fuzzer")
    organization = api.new_organization(owner)
    created = api.http.post(
        f"{own_server.base_url}/api/v1/automation/integrations/",
        headers=owner.headers,
        json={
            "organization_id": organization,
            "name": "Stripe",
            "type": "payment",
            "provider": "stripe",
            "configuration": {"api_key": "sk_test_fuzz", "webhook_secret": "whsec_fuzz"},
        },
    )
    assert created.status_code == 201, created.text
    before = api.audit_entries(organization)
    parameters = {"query.organization": organization, "path.integration_id": created.json()["id"]}
    paths = "^/api/v1/automation/(integrations|action-templates)/"
    fuzz(api, owner, tmp_path, parameters, "--include-path-regex", paths, max_examples=40)
    assert api.audit_entries(organization) > before  # writes were reached
