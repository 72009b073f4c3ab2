"""Schemathesis generates requests from /api/schema/ for every operation, with a logged
in OWNER's token, against a `nocode serve` of its own: no answer may be a 5xx.

The path parameters name a real organisation of that OWNER, a real member of it and a
real pending invitation, so that the writes (organisations, members, invitations,
subscription) reach their rules and their SQL instead of stopping at a 404."""

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


def _config(tmp_path: Path, organization: str, member: str, invitation: str) -> Path:
    config = tmp_path / "schemathesis.toml"
    config.write_text(
        "[parameters]\n"
        f'"path.organization_id" = "{organization}"\n'
        f'"path.user_id" = "{member}"\n'
        f'"path.invitation_id" = "{invitation}"\n'
    )
    return config


def test_no_server_error_anywhere(own_server: Server, inbox: Inbox, tmp_path: Path) -> None:
    api = Api(own_server, inbox)
    owner = api.new_user("fuzzer")
    organization = api.new_organization(owner)
    member = api.new_user("fuzzed")
    api.add_member(organization, owner, member, "MEMBER")
    invited = api.http.post(
        f"/organizations/{organization}/invitations/",
        headers=owner.headers,
        json={"email": "pending@example.com"},
    )
    assert invited.status_code == 201, invited.text
    audited = "SELECT count(*) FROM audit_log WHERE organization_id = %s"
    before = api.query(audited, uuid.UUID(organization))
    result = run_schemathesis(
        f"{own_server.base_url}/api/schema/",
        owner.headers["Authorization"],
        tmp_path,
        "--checks",
        "not_a_server_error",
        # Logging out would leave the rest of the run unauthenticated.
        "--exclude-path",
        "/api/v1/foundation/auth/logout/",
        "--max-examples",
        "30",
        "--seed",
        "7",
        "--generation-allow-x00",
        "true",
        config=_config(tmp_path, organization, member.id, invited.json()["id"]),
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "passed" in result.stdout
    # The writes were reached: schemathesis' requests changed that organisation.
    assert api.query(audited, uuid.UUID(organization)) > before
