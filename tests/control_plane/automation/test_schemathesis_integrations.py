"""Schemathesis on `/integrations/` and `/action-templates/`, with the path and query
parameters naming a real organisation and integration of the caller (an OWNER), so that
requests reach the provider checks, the vault and the SQL: no answer may be a 5xx."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import fresh_database, run_schemathesis
from tests.control_plane.conftest import Api, Inbox, Server, serve


@pytest.fixture
def own_server(pg_server: str, inbox: Inbox, tmp_path: Path) -> Iterator[Server]:
    server = serve(fresh_database(pg_server), inbox, tmp_path)
    yield server
    server.stop()


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
    config = tmp_path / "schemathesis.toml"
    config.write_text(
        "[parameters]\n"
        f'"query.organization" = "{organization}"\n'
        f'"path.integration_id" = "{created.json()["id"]}"\n'
    )
    audited = "SELECT count(*) FROM audit_log WHERE organization_id = %s"
    before = api.query(audited, uuid.UUID(organization))
    result = run_schemathesis(
        f"{own_server.base_url}/api/schema/",
        owner.headers["Authorization"],
        tmp_path,
        "--include-path-regex",
        "^/api/v1/automation/(integrations|action-templates)/",
        "--checks",
        "not_a_server_error",
        "--max-examples",
        "40",
        "--seed",
        "7",
        "--generation-allow-x00",
        "true",
        config=config,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "passed" in result.stdout
    assert api.query(audited, uuid.UUID(organization)) > before  # writes were reached
