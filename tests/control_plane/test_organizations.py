"""Organisations and their members from creation to deletion: invitations by email,
roles, the 1,000-user limit, subscriptions and the audit log of every write."""

from __future__ import annotations

import uuid

from tests.control_plane.conftest import Api, Inbox, assert_error


def test_organization_life_cycle(api: Api, inbox: Inbox) -> None:
    owner, invitee, stranger = api.new_user("owner"), api.new_user("invitee"), api.new_user("x")
    created = api.http.post(
        "/organizations/",
        headers=owner.headers,
        json={"name": "Mon Entreprise", "description": "Description de l'entreprise"},
    )
    assert created.status_code == 201, created.text
    organization = created.json()
    assert organization["role"] == "OWNER" and organization["members_count"] == 1
    org = organization["id"]

    renamed = api.http.patch(f"/organizations/{org}/", headers=owner.headers, json={"name": "Acme"})
    assert renamed.json()["name"] == "Acme"
    assert renamed.json()["description"] == "Description de l'entreprise"
    replaced = api.http.put(f"/organizations/{org}/", headers=owner.headers, json={"name": "Acme"})
    assert replaced.json()["description"] == ""

    invited = api.http.post(
        f"/organizations/{org}/invitations/",
        headers=owner.headers,
        json={"email": invitee.email.upper(), "role": "ADMIN"},
    )
    assert invited.status_code == 201, invited.text
    pending = api.http.get(f"/organizations/{org}/invitations/", headers=owner.headers).json()
    assert pending["count"] == 1 and pending["results"][0]["role"] == "ADMIN"
    token = inbox.token(invitee.email.upper(), "You are invited to Acme")

    # Someone else holding the link cannot use it; it stays good for its addressee.
    wrong = api.http.post("/invitations/accept/", headers=stranger.headers, json={"token": token})
    assert_error(wrong, 400, "INVALID_TOKEN")
    joined = api.http.post("/invitations/accept/", headers=invitee.headers, json={"token": token})
    assert joined.status_code == 200, joined.text
    assert joined.json()["role"] == "ADMIN" and joined.json()["members_count"] == 2
    again = api.http.post("/invitations/accept/", headers=invitee.headers, json={"token": token})
    assert_error(again, 400, "INVALID_TOKEN")
    assert api.http.get(f"/organizations/{org}/invitations/", headers=owner.headers).json() == {
        "count": 0,
        "next": None,
        "previous": None,
        "results": [],
    }

    members = api.http.get(f"/organizations/{org}/members/", headers=invitee.headers).json()
    assert {m["email"]: m["role"] for m in members["results"]} == {
        owner.email: "OWNER",
        invitee.email: "ADMIN",
    }
    demoted = api.http.patch(
        f"/organizations/{org}/members/{invitee.id}/",
        headers=owner.headers,
        json={"role": "MEMBER"},
    )
    assert demoted.json()["role"] == "MEMBER"
    assert_error(
        api.http.post(
            f"/organizations/{org}/invitations/",
            headers=owner.headers,
            json={"email": invitee.email, "role": "MEMBER"},
        ),
        409,
        "CONFLICT",
    )

    # Hand the organisation over: a second OWNER, then the first leaves.
    promoted = api.http.patch(
        f"/organizations/{org}/members/{invitee.id}/", headers=owner.headers, json={"role": "OWNER"}
    )
    assert promoted.json()["role"] == "OWNER"
    left = api.http.delete(f"/organizations/{org}/members/{owner.id}/", headers=owner.headers)
    assert left.status_code == 204
    assert_error(api.http.get(f"/organizations/{org}/", headers=owner.headers), 404, "NOT_FOUND")
    last = api.http.delete(f"/organizations/{org}/members/{invitee.id}/", headers=invitee.headers)
    assert_error(last, 409, "CONFLICT")

    deleted = api.http.delete(f"/organizations/{org}/", headers=invitee.headers)
    assert deleted.status_code == 204
    assert_error(api.http.get(f"/organizations/{org}/", headers=invitee.headers), 404, "NOT_FOUND")
    assert api.query("SELECT count(*) FROM memberships WHERE organization_id = %s", org) == [(0,)]
    actions = [
        row[0]
        for row in api.query(
            "SELECT action FROM audit_log WHERE organization_id = %s ORDER BY id", org
        )
    ]
    assert actions == [
        "organization.create",
        "organization.update",
        "organization.update",
        "invitation.create",
        "invitation.accept",
        "member.change_role",
        "member.change_role",
        "member.leave",
        "organization.delete",
    ]


def test_revoked_invitation_cannot_be_accepted(api: Api, inbox: Inbox) -> None:
    owner, invitee = api.new_user("owner"), api.new_user("late")
    org = api.new_organization(owner)
    invitation = api.http.post(
        f"/organizations/{org}/invitations/", headers=owner.headers, json={"email": invitee.email}
    ).json()
    token = inbox.token(invitee.email, "You are invited")
    revoked = api.http.delete(
        f"/organizations/{org}/invitations/{invitation['id']}/", headers=owner.headers
    )
    assert revoked.status_code == 204
    refused = api.http.post("/invitations/accept/", headers=invitee.headers, json={"token": token})
    assert_error(refused, 400, "INVALID_TOKEN")


def test_an_organization_holds_at_most_1000_users(api: Api) -> None:
    owner, newcomer = api.new_user("big"), api.new_user("one-too-many")
    org = api.new_organization(owner, "Big")
    # 998 more members straight into the database: 999 with the owner.
    api.query(
        """
        WITH new_users AS (
            INSERT INTO users (email, password_hash)
            SELECT 'filler-' || %s || '-' || n || '@example.com', 'not a hash'
            FROM generate_series(1, 998) AS n RETURNING id
        )
        INSERT INTO memberships (organization_id, user_id, role)
        SELECT %s, id, 'MEMBER' FROM new_users
        """,
        org[:8],
        uuid.UUID(org),
    )
    invited = api.http.post(
        f"/organizations/{org}/invitations/", headers=owner.headers, json={"email": newcomer.email}
    )
    assert invited.status_code == 201  # seat 1000, held by the pending invitation
    over = api.http.post(
        f"/organizations/{org}/invitations/",
        headers=owner.headers,
        json={"email": f"another-{org[:8]}@example.com"},
    )
    details = assert_error(over, 409, "LIMIT_REACHED")
    assert "1000" in details["members"]
    members = api.http.get(f"/organizations/{org}/members/?page_size=100", headers=owner.headers)
    assert members.json()["count"] == 999
    assert members.json()["next"].startswith("http://127.0.0.1:")


def test_subscriptions_and_plans(api: Api) -> None:
    owner = api.new_user("payer")
    org = api.new_organization(owner)
    listed_plans = api.http.get("/plans/").json()
    assert listed_plans["count"] == 3 and listed_plans["next"] is None
    plans = listed_plans["results"]
    assert [plan["code"] for plan in plans] == ["free", "team", "enterprise"]
    assert all(plan["limits"]["users"] == 1000 for plan in plans)

    current = api.http.get(f"/organizations/{org}/subscription/", headers=owner.headers).json()
    assert current["plan"]["code"] == "free" and current["status"] == "active"
    listed = api.http.get("/subscriptions/", headers=owner.headers).json()
    assert [s["organization_id"] for s in listed["results"]] == [org]

    paid = api.http.put(
        f"/organizations/{org}/subscription/", headers=owner.headers, json={"plan": "team"}
    )
    assert "payment provider" in assert_error(paid, 503, "UNAVAILABLE")["plan"]
    unknown = api.http.put(
        f"/organizations/{org}/subscription/", headers=owner.headers, json={"plan": "gold"}
    )
    assert "plan" in assert_error(unknown, 400, "VALIDATION_ERROR")
    after = api.http.get(f"/organizations/{org}/subscription/", headers=owner.headers).json()
    assert after == current
    stay = api.http.put(
        f"/organizations/{org}/subscription/", headers=owner.headers, json={"plan": "free"}
    )
    assert stay.status_code == 200 and stay.json()["plan"]["code"] == "free"


def test_audit_log_records_who_what_when_where(api: Api) -> None:
    owner = api.new_user("auditor")
    org = api.new_organization(owner)
    api.http.patch(
        f"/organizations/{org}/",
        headers={**owner.headers, "X-Request-ID": "req-123", "User-Agent": "audit-test"},
        json={"description": "changed"},
    )
    log = api.http.get(f"/organizations/{org}/audit-log/", headers=owner.headers).json()
    assert log["count"] == 2
    newest = log["results"][0]
    assert newest["action"] == "organization.update"
    assert newest["actor_id"] == owner.id
    assert newest["object_type"] == "organization" and newest["object_id"] == org
    assert newest["ip"] == "127.0.0.1"
    assert newest["request_id"] == "req-123" and newest["user_agent"] == "audit-test"
    assert newest["details"] == {"fields": ["description"]}
    assert newest["created_at"].endswith("Z")

    filtered = api.http.get(
        f"/organizations/{org}/audit-log/",
        headers=owner.headers,
        params={"action": "organization.create", "actor": owner.id, "page_size": 1},
    ).json()
    assert filtered["count"] == 1 and filtered["results"][0]["action"] == "organization.create"
    since = api.http.get(
        f"/organizations/{org}/audit-log/",
        headers=owner.headers,
        params={"since": newest["created_at"]},
    ).json()
    assert [entry["action"] for entry in since["results"]] == ["organization.update"]
    first = api.http.get(
        f"/organizations/{org}/audit-log/", headers=owner.headers, params={"page_size": 1}
    ).json()
    assert first["previous"] is None and "page=2" in first["next"]
    second = api.http.get(first["next"], headers=owner.headers).json()
    assert second["results"][0]["action"] == "organization.create" and second["next"] is None
