"""`/api/v1/runtime/targets/` on a real server: SSH hosts with a write-only private key,
stored encrypted; one target per environment; ADMIN and OWNER only; another
organisation's target is missing; bad input answered with the envelope, nothing written."""

from __future__ import annotations

import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.control_plane.conftest import Api, User, assert_error

TARGETS = "/api/v1/runtime/targets/"


def ssh_key(folder: Path, *options: str) -> str:
    path = folder / f"key-{uuid.uuid4().hex[:6]}"
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path), *options], check=True
    )
    return path.read_text()


@dataclass
class Team:
    organization: str
    users: dict[str, User]  # by role
    outsider: User  # OWNER of another organisation


@pytest.fixture(scope="module")
def team(api: Api) -> Team:
    owner = api.new_user("owner")
    organization = api.new_organization(owner, "Targets")
    users = {"OWNER": owner}
    for role in ("ADMIN", "MEMBER", "CLIENT"):
        users[role] = api.new_user(role.lower())
        api.add_member(organization, owner, users[role], role)
    outsider = api.new_user("outsider")
    api.new_organization(outsider, "Elsewhere")
    return Team(organization, users, outsider)


def body(team: Team, key: str, **values: Any) -> dict[str, Any]:
    return {
        "organization_id": team.organization,
        "name": f"web-{uuid.uuid4().hex[:6]}",
        "host": "192.0.2.10",
        "private_key": key,
        **values,
    }


def test_a_target_s_key_is_stored_encrypted_and_never_returned(
    api: Api, team: Team, tmp_path: Path
) -> None:
    admin = team.users["ADMIN"].headers
    key = ssh_key(tmp_path)
    created = api.http.post(
        api.server.base_url + TARGETS,
        headers=admin,
        json=body(team, key, port=2222, username="deploy", environments=["staging"]),
    )
    assert created.status_code == 201, created.text
    target = created.json()
    assert target["private_key_configured"] is True
    assert "private_key" not in target and "PRIVATE KEY" not in created.text
    assert (target["host"], target["port"], target["username"], target["app_port"]) == (
        "192.0.2.10", 2222, "deploy", 8000,
    )  # fmt: skip
    assert target["environments"] == ["staging"] and target["apps_root"] == "/srv/nocode"

    (stored,) = api.query("SELECT private_key FROM runtime_targets WHERE id = %s", target["id"])
    assert stored[0] and key.encode() not in bytes(stored[0]) and b"OPENSSH" not in bytes(stored[0])
    audit = api.query("SELECT details::text FROM audit_log WHERE object_id = %s", target["id"])
    assert audit and all("PRIVATE" not in row[0] for row in audit)

    url = f"{api.server.base_url}{TARGETS}{target['id']}/"
    # PATCH without a key keeps it; with one, replaces it.
    patched = api.http.patch(url, headers=admin, json={"app_port": 8100, "environments": []})
    assert patched.status_code == 200, patched.text
    assert patched.json()["app_port"] == 8100 and patched.json()["private_key_configured"]
    assert api.query("SELECT private_key FROM runtime_targets WHERE id = %s", target["id"]) == [
        stored
    ]
    replaced = api.http.patch(url, headers=admin, json={"private_key": ssh_key(tmp_path)})
    assert replaced.status_code == 200, replaced.text
    assert api.query("SELECT private_key FROM runtime_targets WHERE id = %s", target["id"]) != [
        stored
    ]

    listed = api.http.get(
        api.server.base_url + TARGETS, headers=admin, params={"organization_id": team.organization}
    )
    assert listed.status_code == 200
    assert target["id"] in [item["id"] for item in listed.json()["results"]]
    assert "PRIVATE KEY" not in listed.text

    assert api.http.delete(url, headers=admin).status_code == 204
    assert_error(api.http.get(url, headers=admin), 404, "NOT_FOUND")


def test_one_target_per_environment_and_names_unique(api: Api, team: Team, tmp_path: Path) -> None:
    admin = team.users["ADMIN"].headers
    key = ssh_key(tmp_path)
    first = api.http.post(
        api.server.base_url + TARGETS,
        headers=admin,
        json=body(team, key, name="prod-1", environments=["production"]),
    )
    assert first.status_code == 201, first.text
    before = api.query("SELECT count(*) FROM runtime_targets")
    claimed = api.http.post(
        api.server.base_url + TARGETS,
        headers=admin,
        json=body(team, key, environments=["development", "production"]),
    )
    assert "prod-1" in assert_error(claimed, 409, "CONFLICT")["environments"]
    same_name = api.http.post(
        api.server.base_url + TARGETS, headers=admin, json=body(team, key, name="prod-1")
    )
    assert assert_error(same_name, 409, "CONFLICT") == {
        "name": "The organization has a target of that name."
    }
    assert api.query("SELECT count(*) FROM runtime_targets") == before
    # Another organisation may use the same name and environment.
    other = api.new_organization(team.outsider, "Other targets")
    elsewhere = api.http.post(
        api.server.base_url + TARGETS,
        headers=team.outsider.headers,
        json={
            **body(team, key, name="prod-1", environments=["production"]),
            "organization_id": other,
        },
    )
    assert elsewhere.status_code == 201, elsewhere.text


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"host": "web server"}, "host"),
        ({"host": "root@web"}, "host"),
        ({"host": "web;rm -rf /"}, "host"),
        ({"host": ""}, "host"),
        ({"port": 0}, "port"),
        ({"app_port": 70000}, "app_port"),
        ({"username": "Root; id"}, "username"),
        ({"private_key": "not a key"}, "private_key"),
        ({"environments": ["production", "production"]}, "environments"),
        ({"environments": ["moon"]}, "environments[0]"),
        ({"apps_root": "relative/path"}, "apps_root"),
        ({"apps_root": "/srv/$(id)"}, "apps_root"),
        ({"name": "line\nbreak"}, "name"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bad_input_is_refused_with_the_field(
    api: Api, team: Team, tmp_path: Path, values: dict[str, Any], field: str
) -> None:
    key = ssh_key(tmp_path)
    before = api.query("SELECT count(*) FROM runtime_targets")
    response = api.http.post(
        api.server.base_url + TARGETS,
        headers=team.users["ADMIN"].headers,
        json=body(team, key, **values),
    )
    details = assert_error(response, 400, "VALIDATION_ERROR")
    assert field in details, details
    assert "PRIVATE KEY" not in response.text
    assert api.query("SELECT count(*) FROM runtime_targets") == before


def test_an_encrypted_key_is_refused(api: Api, team: Team, tmp_path: Path) -> None:
    key = ssh_key(tmp_path, "-N", "a passphrase")
    response = api.http.post(
        api.server.base_url + TARGETS, headers=team.users["ADMIN"].headers, json=body(team, key)
    )
    assert "private_key" in assert_error(response, 400, "VALIDATION_ERROR")


EXPECTED = {"CLIENT": 403, "MEMBER": 403, "ADMIN": 200, "OWNER": 200}


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_only_admin_and_owner_manage_targets(
    api: Api, team: Team, tmp_path: Path, role: str
) -> None:
    owner = team.users["OWNER"].headers
    created = api.http.post(
        api.server.base_url + TARGETS, headers=owner, json=body(team, ssh_key(tmp_path))
    )
    assert created.status_code == 201
    url = f"{api.server.base_url}{TARGETS}{created.json()['id']}/"
    headers = team.users[role].headers
    expected = EXPECTED[role]
    listed = api.http.get(
        api.server.base_url + TARGETS,
        headers=headers,
        params={"organization_id": team.organization},
    )
    calls = {
        "list": listed,
        "create": api.http.post(
            api.server.base_url + TARGETS, headers=headers, json=body(team, ssh_key(tmp_path))
        ),
        "get": api.http.get(url, headers=headers),
        "patch": api.http.patch(url, headers=headers, json={"app_port": 9000}),
    }
    for name, response in calls.items():
        success = 201 if name == "create" else 200
        assert response.status_code == (success if expected == 200 else 403), (name, response.text)
    deleted = api.http.delete(url, headers=headers)
    assert deleted.status_code == (204 if expected == 200 else 403)


def test_another_organization_s_target_is_missing(api: Api, team: Team, tmp_path: Path) -> None:
    created = api.http.post(
        api.server.base_url + TARGETS,
        headers=team.users["OWNER"].headers,
        json=body(team, ssh_key(tmp_path)),
    )
    url = f"{api.server.base_url}{TARGETS}{created.json()['id']}/"
    missing = f"{api.server.base_url}{TARGETS}{uuid.uuid4()}/"
    outsider = team.outsider.headers
    for method, json in (("GET", None), ("PATCH", {"app_port": 9000}), ("DELETE", None)):
        theirs = api.http.request(method, url, headers=outsider, json=json)
        nobody_s = api.http.request(method, missing, headers=outsider, json=json)
        assert assert_error(theirs, 404, "NOT_FOUND") == assert_error(nobody_s, 404, "NOT_FOUND")
    listed = api.http.get(
        api.server.base_url + TARGETS,
        headers=outsider,
        params={"organization_id": team.organization},
    )
    assert_error(listed, 404, "NOT_FOUND")
    assert api.query(
        "SELECT app_port FROM runtime_targets WHERE id = %s", created.json()["id"]
    ) == [(8000,)]
