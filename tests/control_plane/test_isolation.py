"""Organisations are sealed from each other: for a user of organisation A, every object of
organisation B is exactly as absent as one that never existed (404 NOT_FOUND, the same
bytes as for a random id, never 403, never data), no list shows or counts it, and no
attempt changes anything of B."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.control_plane.conftest import Api, User, assert_error

ROLES = ("CLIENT", "MEMBER", "ADMIN", "OWNER")


@dataclass
class World:
    a: str
    b: str
    a_users: dict[str, User]
    b_users: dict[str, User]
    b_invitation: str  # a pending invitation of B, to someone outside both
    b_token: str  # its token, as read from the invitee's mailbox


def _team(api: Api, name: str) -> tuple[str, dict[str, User]]:
    owner = api.new_user(f"{name}-owner")
    organization = api.new_organization(owner, f"Organisation {name.upper()}")
    users = {"OWNER": owner}
    for role in ("ADMIN", "MEMBER", "CLIENT"):
        users[role] = api.new_user(f"{name}-{role.lower()}")
        api.add_member(organization, owner, users[role], role)
    return organization, users


@pytest.fixture(scope="module")
def world(api: Api) -> World:
    a, a_users = _team(api, "a")
    b, b_users = _team(api, "b")
    outsider = f"outsider-{uuid.uuid4().hex[:8]}@example.com"
    invited = api.http.post(
        f"/organizations/{b}/invitations/",
        headers=b_users["OWNER"].headers,
        json={"email": outsider, "role": "ADMIN"},
    )
    assert invited.status_code == 201, invited.text
    token = api.inbox.token(outsider, "You are invited")
    # A subscription change in B, so that B has an audit log of its own to protect.
    changed = api.http.put(
        f"/organizations/{b}/subscription/", headers=b_users["OWNER"].headers, json={"plan": "free"}
    )
    assert changed.status_code == 200, changed.text
    return World(a, b, a_users, b_users, str(invited.json()["id"]), token)


@dataclass
class Call:
    method: str
    path: str
    json: Any = None


# Requests on B's organisation, by B's id (`org`) and B's objects' ids.
Foreign = Callable[[str, World], Call]
ON_B: dict[str, Foreign] = {
    "get_organization": lambda org, w: Call("GET", f"/organizations/{org}/"),
    "put_organization": lambda org, w: Call("PUT", f"/organizations/{org}/", {"name": "Taken"}),
    "patch_organization": lambda org, w: Call(
        "PATCH", f"/organizations/{org}/", {"description": "taken"}
    ),
    "delete_organization": lambda org, w: Call("DELETE", f"/organizations/{org}/"),
    "list_members": lambda org, w: Call("GET", f"/organizations/{org}/members/"),
    "change_role": lambda org, w: Call(
        "PATCH", f"/organizations/{org}/members/{w.b_users['MEMBER'].id}/", {"role": "CLIENT"}
    ),
    "make_owner": lambda org, w: Call(
        "PATCH", f"/organizations/{org}/members/{w.b_users['ADMIN'].id}/", {"role": "OWNER"}
    ),
    "demote_owner": lambda org, w: Call(
        "PATCH", f"/organizations/{org}/members/{w.b_users['OWNER'].id}/", {"role": "CLIENT"}
    ),
    "remove_member": lambda org, w: Call(
        "DELETE", f"/organizations/{org}/members/{w.b_users['MEMBER'].id}/"
    ),
    "remove_owner": lambda org, w: Call(
        "DELETE", f"/organizations/{org}/members/{w.b_users['OWNER'].id}/"
    ),
    "invite": lambda org, w: Call(
        "POST", f"/organizations/{org}/invitations/", {"email": "x@example.com", "role": "MEMBER"}
    ),
    "invite_owner": lambda org, w: Call(
        "POST", f"/organizations/{org}/invitations/", {"email": "y@example.com", "role": "OWNER"}
    ),
    "list_invitations": lambda org, w: Call("GET", f"/organizations/{org}/invitations/"),
    "revoke_invitation": lambda org, w: Call(
        "DELETE", f"/organizations/{org}/invitations/{w.b_invitation}/"
    ),
    "search_users": lambda org, w: Call("GET", f"/users/?organization={org}"),
    "search_users_by_email": lambda org, w: Call(
        "GET", f"/users/?organization={org}&search={w.b_users['OWNER'].email}"
    ),
    "get_subscription": lambda org, w: Call("GET", f"/organizations/{org}/subscription/"),
    "change_plan_to_free": lambda org, w: Call(
        "PUT", f"/organizations/{org}/subscription/", {"plan": "free"}
    ),
    "change_plan_to_paid": lambda org, w: Call(
        "PUT", f"/organizations/{org}/subscription/", {"plan": "team"}
    ),
    "audit_log": lambda org, w: Call("GET", f"/organizations/{org}/audit-log/"),
}


def send(api: Api, user: User, call: Call) -> httpx.Response:
    return api.http.request(call.method, call.path, headers=user.headers, json=call.json)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(ON_B))
def test_another_organization_is_not_found(
    api: Api, world: World, endpoint: str, role: str
) -> None:
    user = world.a_users[role]
    before = api.organization_rows(world.b), api.organization_rows(world.a)
    foreign = send(api, user, ON_B[endpoint](world.b, world))
    assert_error(foreign, 404, "NOT_FOUND")
    # The same bytes as for an organisation that does not exist: nothing to learn.
    missing = send(api, user, ON_B[endpoint](str(uuid.uuid4()), world))
    assert_error(missing, 404, "NOT_FOUND")
    assert foreign.content == missing.content
    assert world.b_users["OWNER"].email not in foreign.text
    assert (api.organization_rows(world.b), api.organization_rows(world.a)) == before


# Requests on A's organisation (the caller's own) naming B's objects.
ACROSS: dict[str, Callable[[str, str, str], Call]] = {
    # (A's id, B's member id, B's invitation id)
    "change_role_of_b_member": lambda a, member, _: Call(
        "PATCH", f"/organizations/{a}/members/{member}/", {"role": "CLIENT"}
    ),
    "make_b_member_owner": lambda a, member, _: Call(
        "PATCH", f"/organizations/{a}/members/{member}/", {"role": "OWNER"}
    ),
    "remove_b_member": lambda a, member, _: Call("DELETE", f"/organizations/{a}/members/{member}/"),
    "revoke_b_invitation": lambda a, _, invitation: Call(
        "DELETE", f"/organizations/{a}/invitations/{invitation}/"
    ),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(ACROSS))
def test_another_organizations_objects_are_not_found_through_ones_own(
    api: Api, world: World, endpoint: str, role: str
) -> None:
    user = world.a_users[role]
    before = api.organization_rows(world.b), api.organization_rows(world.a)
    b_member = world.b_users["MEMBER"].id
    foreign = send(api, user, ACROSS[endpoint](world.a, b_member, world.b_invitation))
    missing = send(api, user, ACROSS[endpoint](world.a, str(uuid.uuid4()), str(uuid.uuid4())))
    if role in ("ADMIN", "OWNER"):
        assert_error(foreign, 404, "NOT_FOUND")
    else:  # refused for want of rights in A, whatever the id
        assert_error(foreign, 403, "PERMISSION_DENIED")
    assert (foreign.status_code, foreign.content) == (missing.status_code, missing.content)
    assert (api.organization_rows(world.b), api.organization_rows(world.a)) == before


@pytest.mark.parametrize("role", ROLES)
def test_an_invitation_of_another_organization_cannot_be_accepted(
    api: Api, world: World, role: str
) -> None:
    user = world.a_users[role]
    before = api.organization_rows(world.b), api.organization_rows(world.a)
    foreign = api.http.post(
        "/invitations/accept/", headers=user.headers, json={"token": world.b_token}
    )
    unknown = api.http.post(
        "/invitations/accept/", headers=user.headers, json={"token": world.b_token[::-1]}
    )
    # Whoever holds another address's link learns nothing from it: the same answer as for
    # a token that does not exist.
    assert_error(foreign, 400, "INVALID_TOKEN")
    assert foreign.content == unknown.content
    assert (api.organization_rows(world.b), api.organization_rows(world.a)) == before
    assert world.b not in {o["id"] for o in _all(api, user, "/organizations/")}


def test_the_link_stays_good_for_its_addressee(api: Api, world: World) -> None:
    b_owner = world.b_users["OWNER"]
    invitee = api.new_user("b-invitee")
    invited = api.http.post(
        f"/organizations/{world.b}/invitations/",
        headers=b_owner.headers,
        json={"email": invitee.email, "role": "MEMBER"},
    )
    assert invited.status_code == 201, invited.text
    token = api.inbox.token(invitee.email, "You are invited")
    intruder = world.a_users["OWNER"]
    refused = api.http.post("/invitations/accept/", headers=intruder.headers, json={"token": token})
    assert_error(refused, 400, "INVALID_TOKEN")
    accepted = api.http.post("/invitations/accept/", headers=invitee.headers, json={"token": token})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["id"] == world.b


def _all(api: Api, user: User, path: str, **params: str) -> list[dict[str, Any]]:
    response = api.http.get(path, headers=user.headers, params={**params, "page_size": 100})
    assert response.status_code == 200, response.text
    page = response.json()
    assert page["count"] == len(page["results"]), page
    return list(page["results"])


@pytest.mark.parametrize("role", ROLES)
def test_own_lists_neither_show_nor_count_another_organization(
    api: Api, world: World, role: str
) -> None:
    user = world.a_users[role]
    organizations = _all(api, user, "/organizations/")
    assert [o["id"] for o in organizations] == [world.a]
    assert organizations[0]["members_count"] == len(world.a_users)

    subscriptions = _all(api, user, "/subscriptions/")
    expected = [] if role == "CLIENT" else [world.a]
    assert [s["organization_id"] for s in subscriptions] == expected

    # Paging does not leak either: the count is of the caller's own objects.
    first = api.http.get("/organizations/", headers=user.headers, params={"page_size": 1}).json()
    assert first["count"] == 1 and first["next"] is None


def test_own_organization_lists_only_its_own(api: Api, world: World) -> None:
    owner = world.a_users["OWNER"]
    a_ids = {user.id for user in world.a_users.values()}
    b_ids = {user.id for user in world.b_users.values()}

    members = _all(api, owner, f"/organizations/{world.a}/members/")
    assert {m["user_id"] for m in members} == a_ids

    found = _all(api, owner, "/users/", organization=world.a, search="example.com")
    assert {m["user_id"] for m in found} == a_ids
    for b_user in world.b_users.values():
        page = api.http.get(
            "/users/",
            headers=owner.headers,
            params={"organization": world.a, "search": b_user.email},
        ).json()
        assert page == {"count": 0, "next": None, "previous": None, "results": []}

    assert _all(api, owner, f"/organizations/{world.a}/invitations/") == []

    entries = _all(api, owner, f"/organizations/{world.a}/audit-log/")
    own_count = api.query(
        "SELECT count(*) FROM audit_log WHERE organization_id = %s", uuid.UUID(world.a)
    )
    assert [(len(entries),)] == own_count
    b_objects = b_ids | {world.b, world.b_invitation}
    assert not [e for e in entries if e["object_id"] in b_objects]
    assert not [e for e in entries if e["actor_id"] in b_ids]
    assert world.b_users["OWNER"].email not in str(entries)
