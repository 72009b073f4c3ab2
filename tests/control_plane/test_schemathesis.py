"""Schemathesis generates requests from /api/schema/ for every operation, with a logged
in OWNER's token, against a `nocode serve` of its own: no answer may be a 5xx. Automation's
operations are fuzzed by tests/control_plane/automation/test_schemathesis*.py, with a real
workflow, node, edge and integration in their paths: here they would only meet 404s.

The path parameters name a real organisation of that OWNER, a real member of it and a
real pending invitation, so that the writes (organisations, members, invitations,
subscription) reach their rules and their SQL instead of stopping at a 404."""

from __future__ import annotations

from pathlib import Path

from tests.control_plane.conftest import Api, Inbox, Server, fuzz


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
    before = api.audit_entries(organization)
    parameters = {
        "path.organization_id": organization,
        "path.user_id": member.id,
        "path.invitation_id": invited.json()["id"],
    }
    # Logging out would leave the rest of the run unauthenticated.
    fuzz(
        api, owner, tmp_path, parameters,
        "--exclude-path", "/api/v1/foundation/auth/logout/",
        "--exclude-path-regex", "^/api/v1/automation/",
    )  # fmt: skip
    # The writes were reached: schemathesis' requests changed that organisation.
    assert api.audit_entries(organization) > before
