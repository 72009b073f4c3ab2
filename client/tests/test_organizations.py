"""Organisations through the client: one created, a member invited (the emailed token
accepted through the client), their role changed, then removed; an invitation revoked."""

from __future__ import annotations

from nocode_client import NoCodeClient
from tests.control_plane.conftest import PASSWORD, Api


def test_an_organisation_and_its_members(platform: Api, client: NoCodeClient) -> None:
    organization = client.create_organization({"name": "Team", "description": "Ours"})
    assert organization.role == "OWNER" and organization.members_count == 1
    newcomer = platform.new_user("newcomer")
    invitation = client.invite(organization.id, newcomer.email, "MEMBER")
    assert [i.id for i in client.iter_invitations(organization.id)] == [invitation.id]

    token = platform.inbox.token(newcomer.email, "You are invited")
    with NoCodeClient(platform.server.base_url) as theirs:
        theirs.login(newcomer.email, PASSWORD)
        assert theirs.accept_invitation(token).id == organization.id

    members = {member.email: member for member in client.iter_members(organization.id)}
    assert members[newcomer.email].role == "MEMBER"
    admin = client.change_member_role(organization.id, newcomer.id, "ADMIN")
    assert admin.role == "ADMIN"
    client.remove_member(organization.id, newcomer.id)
    assert client.get_organization(organization.id).members_count == 1

    other = client.invite(organization.id, "someone@example.com")
    client.revoke_invitation(organization.id, other.id)
    assert client.list_invitations(organization.id).count == 0
    renamed = client.update_organization(organization.id, {"name": "Team B"})
    assert renamed.name == "Team B"
    client.delete_organization(organization.id)
