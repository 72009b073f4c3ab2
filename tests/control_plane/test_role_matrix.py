"""The seed 001 role matrix of the Foundation module, endpoint by endpoint, over real HTTP.

| Foundation | CLIENT        | MEMBER        | ADMIN  | OWNER |
| ---------- | ------------- | ------------- | ------ | ----- |
|            | profil, login | profil + org  | tout   | tout  |

CLIENT: its profile, logging in, and reading the organisation. MEMBER: the same, plus
the members list and the subscription. ADMIN: everything but deleting the organisation,
making or unmaking OWNERs and changing the plan. OWNER: everything.

The expectations below are written out by hand from the seed, not derived from the
code's `permissions.MATRIX`, so that a wrong matrix in the code fails here.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.control_plane.conftest import Api, User, assert_error

ROLES = ("CLIENT", "MEMBER", "ADMIN", "OWNER")

# What each role gets from each organisation-scoped endpoint. 403 is PERMISSION_DENIED;
# 503 is UNAVAILABLE (a paid plan needs a payment provider, none is configured).
EXPECTED_TABLE = """
endpoint                CLIENT  MEMBER  ADMIN  OWNER
get_organization           200     200    200    200
put_organization           403     403    200    200
patch_organization         403     403    200    200
delete_organization        403     403    403    204
list_members               403     200    200    200
change_role                403     403    200    200
make_owner                 403     403    403    200
demote_owner               403     403    403    200
remove_member              403     403    204    204
remove_owner               403     403    403    204
invite                     403     403    201    201
invite_owner               403     403    403    201
list_invitations           403     403    200    200
revoke_invitation          403     403    204    204
search_users               403     403    200    200
get_subscription           403     200    200    200
change_plan_to_free        403     403    403    200
change_plan_to_paid        403     403    403    503
audit_log                  403     403    200    200
"""


def _parse(table: str) -> dict[tuple[str, str], int]:
    lines = [line.split() for line in table.strip().splitlines()]
    header, rows = lines[0], lines[1:]
    assert tuple(header[1:]) == ROLES
    return {
        (row[0], role): int(status)
        for row in rows
        for role, status in zip(ROLES, row[1:], strict=True)
    }


EXPECTED = _parse(EXPECTED_TABLE)


@dataclass
class Team:
    """One organisation with one user of each role, and a MEMBER to act upon."""

    organization: str
    users: dict[str, User]
    subject: User


@pytest.fixture(scope="module")
def team(api: Api) -> Team:
    owner = api.new_user("owner")
    organization = api.new_organization(owner, "Matrix")
    users = {"OWNER": owner}
    for role in ("ADMIN", "MEMBER", "CLIENT"):
        users[role] = api.new_user(role.lower())
        api.add_member(organization, owner, users[role], role)
    subject = api.new_user("subject")
    api.add_member(organization, owner, subject, "MEMBER")
    return Team(organization, users, subject)


@dataclass
class Call:
    method: str
    path: str
    organization: str
    json: Any = None


def _email() -> str:
    return f"invitee-{uuid.uuid4().hex[:8]}@example.com"


def _new_member(api: Api, team: Team, role: str) -> User:
    member = api.new_user(f"target-{role.lower()}")
    api.add_member(team.organization, team.users["OWNER"], member, role)
    return member


def _pending_invitation(api: Api, team: Team) -> str:
    response = api.http.post(
        f"/organizations/{team.organization}/invitations/",
        headers=team.users["OWNER"].headers,
        json={"email": _email(), "role": "MEMBER"},
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _delete_organization(api: Api, team: Team, role: str) -> Call:
    """Deleting a fresh organisation of the team's OWNER, where the `role` user has that
    role: the team's own organisation stays for the other cases."""
    owner = team.users["OWNER"]
    organization = api.new_organization(owner, "Doomed")
    if role != "OWNER":
        api.add_member(organization, owner, team.users[role], role)
    return Call("DELETE", f"/organizations/{organization}/", organization)


def _org(team: Team, tail: str = "") -> str:
    return f"/organizations/{team.organization}/{tail}"


Case = Callable[[Api, Team, str], Call]
CASES: dict[str, Case] = {
    "get_organization": lambda api, t, role: Call("GET", _org(t), t.organization),
    "put_organization": lambda api, t, role: Call(
        "PUT", _org(t), t.organization, {"name": "Matrix", "description": "roles"}
    ),
    "patch_organization": lambda api, t, role: Call(
        "PATCH", _org(t), t.organization, {"description": "roles"}
    ),
    "delete_organization": lambda api, t, role: _delete_organization(api, t, role),
    "list_members": lambda api, t, role: Call("GET", _org(t, "members/"), t.organization),
    "change_role": lambda api, t, role: Call(
        "PATCH", _org(t, f"members/{t.subject.id}/"), t.organization, {"role": "MEMBER"}
    ),
    "make_owner": lambda api, t, role: Call(
        "PATCH",
        _org(t, f"members/{_new_member(api, t, 'MEMBER').id}/"),
        t.organization,
        {"role": "OWNER"},
    ),
    "demote_owner": lambda api, t, role: Call(
        "PATCH",
        _org(t, f"members/{_new_member(api, t, 'OWNER').id}/"),
        t.organization,
        {"role": "ADMIN"},
    ),
    "remove_member": lambda api, t, role: Call(
        "DELETE", _org(t, f"members/{_new_member(api, t, 'MEMBER').id}/"), t.organization
    ),
    "remove_owner": lambda api, t, role: Call(
        "DELETE", _org(t, f"members/{_new_member(api, t, 'OWNER').id}/"), t.organization
    ),
    "invite": lambda api, t, role: Call(
        "POST", _org(t, "invitations/"), t.organization, {"email": _email(), "role": "MEMBER"}
    ),
    "invite_owner": lambda api, t, role: Call(
        "POST", _org(t, "invitations/"), t.organization, {"email": _email(), "role": "OWNER"}
    ),
    "list_invitations": lambda api, t, role: Call("GET", _org(t, "invitations/"), t.organization),
    "revoke_invitation": lambda api, t, role: Call(
        "DELETE", _org(t, f"invitations/{_pending_invitation(api, t)}/"), t.organization
    ),
    "search_users": lambda api, t, role: Call(
        "GET", f"/users/?organization={t.organization}", t.organization
    ),
    "get_subscription": lambda api, t, role: Call("GET", _org(t, "subscription/"), t.organization),
    "change_plan_to_free": lambda api, t, role: Call(
        "PUT", _org(t, "subscription/"), t.organization, {"plan": "free"}
    ),
    "change_plan_to_paid": lambda api, t, role: Call(
        "PUT", _org(t, "subscription/"), t.organization, {"plan": "team"}
    ),
    "audit_log": lambda api, t, role: Call("GET", _org(t, "audit-log/"), t.organization),
}


def test_the_table_covers_every_case() -> None:
    assert {endpoint for endpoint, _ in EXPECTED} == set(CASES)


@pytest.mark.parametrize(
    ("endpoint", "role"), sorted(EXPECTED, key=lambda key: (key[0], ROLES.index(key[1])))
)
def test_role_matrix(api: Api, team: Team, endpoint: str, role: str) -> None:
    call = CASES[endpoint](api, team, role)
    expected = EXPECTED[(endpoint, role)]
    before = api.organization_rows(call.organization)
    response = api.http.request(
        call.method, call.path, headers=team.users[role].headers, json=call.json
    )
    if expected == 403:
        details = assert_error(response, 403, "PERMISSION_DENIED")
        assert details, response.text
    elif expected == 503:
        assert_error(response, 503, "UNAVAILABLE")
    else:
        assert response.status_code == expected, response.text
    if expected >= 400:
        assert api.organization_rows(call.organization) == before, (
            "a refused request wrote something"
        )
    elif call.method != "GET":
        # Every write leaves its audit entry, by its actor.
        actors = api.query(
            "SELECT actor_id FROM audit_log WHERE organization_id = %s ORDER BY id DESC LIMIT 1",
            uuid.UUID(call.organization),
        )
        assert actors == [(uuid.UUID(team.users[role].id),)]


@pytest.mark.parametrize("role", ROLES)
def test_every_role_has_its_profile_and_sees_the_organization(
    api: Api, team: Team, role: str
) -> None:
    user = team.users[role]
    profile = api.http.get("/users/profile/", headers=user.headers)
    assert profile.status_code == 200 and profile.json()["id"] == user.id
    renamed = api.http.put(
        "/users/profile/", headers=user.headers, json={"first_name": role.title(), "last_name": ""}
    )
    assert renamed.status_code == 200, renamed.text
    api.login(user.email)

    mine = api.http.get("/organizations/", headers=user.headers).json()
    roles = {item["id"]: item["role"] for item in mine["results"]}
    assert roles[team.organization] == role

    subscriptions = api.http.get("/subscriptions/", headers=user.headers).json()
    listed = {item["organization_id"] for item in subscriptions["results"]}
    # The list shows the subscriptions the caller may read: MEMBER and above.
    assert (team.organization in listed) == (role != "CLIENT")
    assert subscriptions["count"] == len(subscriptions["results"])


def test_the_last_owner_stays(api: Api) -> None:
    owner, admin = api.new_user("sole"), api.new_user("helper")
    organization = api.new_organization(owner, "One owner")
    api.add_member(organization, owner, admin, "ADMIN")
    before = api.organization_rows(organization)

    for role in ("ADMIN", "MEMBER", "CLIENT"):
        demoted = api.http.patch(
            f"/organizations/{organization}/members/{owner.id}/",
            headers=owner.headers,
            json={"role": role},
        )
        assert "role" in assert_error(demoted, 409, "CONFLICT")
    left = api.http.delete(
        f"/organizations/{organization}/members/{owner.id}/", headers=owner.headers
    )
    assert_error(left, 409, "CONFLICT")
    # An ADMIN may not remove (nor demote) an OWNER at all.
    removed = api.http.delete(
        f"/organizations/{organization}/members/{owner.id}/", headers=admin.headers
    )
    assert_error(removed, 403, "PERMISSION_DENIED")
    demoted = api.http.patch(
        f"/organizations/{organization}/members/{owner.id}/",
        headers=admin.headers,
        json={"role": "ADMIN"},
    )
    assert_error(demoted, 403, "PERMISSION_DENIED")
    assert api.organization_rows(organization) == before

    # With a second OWNER, the first may leave; the second is then the last one.
    promoted = api.http.patch(
        f"/organizations/{organization}/members/{admin.id}/",
        headers=owner.headers,
        json={"role": "OWNER"},
    )
    assert promoted.status_code == 200 and promoted.json()["role"] == "OWNER"
    left = api.http.delete(
        f"/organizations/{organization}/members/{owner.id}/", headers=owner.headers
    )
    assert left.status_code == 204, left.text
    assert_error(
        api.http.get(f"/organizations/{organization}/", headers=owner.headers), 404, "NOT_FOUND"
    )
    last = api.http.delete(
        f"/organizations/{organization}/members/{admin.id}/", headers=admin.headers
    )
    assert_error(last, 409, "CONFLICT")
    demoted = api.http.patch(
        f"/organizations/{organization}/members/{admin.id}/",
        headers=admin.headers,
        json={"role": "MEMBER"},
    )
    assert_error(demoted, 409, "CONFLICT")
    owners = api.query(
        "SELECT user_id FROM memberships WHERE organization_id = %s AND role = 'OWNER'",
        uuid.UUID(organization),
    )
    assert owners == [(uuid.UUID(admin.id),)]


def test_an_owner_may_demote_another_owner(api: Api) -> None:
    first, second = api.new_user("first"), api.new_user("second")
    organization = api.new_organization(first, "Two owners")
    api.add_member(organization, first, second, "OWNER")
    demoted = api.http.patch(
        f"/organizations/{organization}/members/{first.id}/",
        headers=second.headers,
        json={"role": "ADMIN"},
    )
    assert demoted.status_code == 200 and demoted.json()["role"] == "ADMIN"
    # Now an ADMIN, the former OWNER can no longer touch the remaining one.
    refused = api.http.patch(
        f"/organizations/{organization}/members/{second.id}/",
        headers=first.headers,
        json={"role": "ADMIN"},
    )
    assert_error(refused, 403, "PERMISSION_DENIED")


@pytest.mark.parametrize("role", ("CLIENT", "MEMBER", "ADMIN"))
def test_any_member_may_leave(api: Api, role: str) -> None:
    owner, member = api.new_user("host"), api.new_user(f"leaver-{role.lower()}")
    organization = api.new_organization(owner, "Left")
    api.add_member(organization, owner, member, role)
    left = api.http.delete(
        f"/organizations/{organization}/members/{member.id}/", headers=member.headers
    )
    assert left.status_code == 204, left.text
    assert_error(
        api.http.get(f"/organizations/{organization}/", headers=member.headers), 404, "NOT_FOUND"
    )
    members = api.http.get(f"/organizations/{organization}/members/", headers=owner.headers).json()
    assert [m["user_id"] for m in members["results"]] == [owner.id]
    assert members["count"] == 1
    action = api.query(
        "SELECT action FROM audit_log WHERE organization_id = %s ORDER BY id DESC LIMIT 1",
        uuid.UUID(organization),
    )
    assert action == [("member.leave",)]
