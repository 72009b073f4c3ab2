"""What the Insights tests share: an organisation with a user of each role."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from tests.control_plane.conftest import Api, User

INSIGHTS = "/api/v1/insights"


@dataclass
class Team:
    organization: str
    users: dict[str, User]  # by role, and "outsider" (an OWNER of another organisation)


def new_team(api: Api, name: str = "Insightful") -> Team:
    owner = api.new_user("owner")
    organization = api.new_organization(owner, name)
    users = {"OWNER": owner}
    for role in ("ADMIN", "MEMBER", "CLIENT"):
        users[role] = api.new_user(role.lower())
        api.add_member(organization, owner, users[role], role)
    users["outsider"] = api.new_user("outsider")
    api.new_organization(users["outsider"], "Elsewhere")
    return Team(organization, users)


def insights(api: Api, path: str, user: User, **params: Any) -> httpx.Response:
    return api.http.get(
        f"{api.server.base_url}{INSIGHTS}{path}", headers=user.headers, params=params
    )
