"""Helpers of the Studio tests: an HTTP client of `/api/v1/studio`, teams of one
organisation with a user of each role, and the seed's `clients` and `produits` tables as
bodies of `add_table` (specs/gestion_client.yaml's shapes, without their ids: the server
makes those)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.control_plane.conftest import Api, User

STUDIO = "/api/v1/studio"
ROLES = ("CLIENT", "MEMBER", "ADMIN", "OWNER")
_SEED_SPEC = Path(__file__).parents[3] / "specs" / "gestion_client.yaml"


def seed_table(name: str) -> dict[str, Any]:
    """The seed's table `name` as an add_table body: its name, no stable id anywhere."""
    table = yaml.safe_load(_SEED_SPEC.read_text())["tables"][name]
    table.pop("id")
    for field in table["fields"].values():
        field.pop("id")
    for index in table.get("indexes", []):
        index.pop("id")
    return {"name": name, **table}


@dataclass
class Team:
    organization: str
    users: dict[str, User]

    @property
    def owner(self) -> User:
        return self.users["OWNER"]


class Studio:
    def __init__(self, api: Api) -> None:
        self.api = api
        self.http = httpx.Client(base_url=f"{api.server.base_url}{STUDIO}", timeout=30)

    def team(self, name: str = "team") -> Team:
        owner = self.api.new_user(f"{name}-owner")
        organization = self.api.new_organization(owner, f"Organisation {name}")
        users = {"OWNER": owner}
        for role in ("ADMIN", "MEMBER", "CLIENT"):
            users[role] = self.api.new_user(f"{name}-{role.lower()}")
            self.api.add_member(organization, owner, users[role], role)
        return Team(organization, users)

    def new_project(self, by: User, organization: str, name: str = "Gestion Client") -> str:
        response = self.http.post(
            "/projects/", headers=by.headers, json={"name": name, "organization_id": organization}
        )
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def add_table(self, by: User, project: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.http.post(f"/projects/{project}/add_table/", headers=by.headers, json=body)
        assert response.status_code == 201, response.text
        return dict(response.json())

    def publish(self, by: User, project: str) -> dict[str, Any]:
        response = self.http.post(f"/projects/{project}/publish/", headers=by.headers)
        assert response.status_code == 201, response.text
        return dict(response.json())


@pytest.fixture(scope="module")
def studio(api: Api) -> Studio:
    return Studio(api)
