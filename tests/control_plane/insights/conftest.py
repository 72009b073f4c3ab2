"""Helpers of the Insights tests: an HTTP client of `/api/v1/insights` on the session's
control plane, and a team of one organisation with a user of each role."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

import httpx
import pytest

from tests.control_plane.conftest import Api, User
from tests.control_plane.studio.conftest import Studio, Team

INSIGHTS = "/api/v1/insights"
Found = TypeVar("Found")


class Insights:
    def __init__(self, api: Api) -> None:
        self.api = api
        self.studio = Studio(api)
        self.http = httpx.Client(base_url=f"{api.server.base_url}{INSIGHTS}", timeout=30)

    def request(
        self,
        method: str,
        path: str,
        by: User | None,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        sent = {**(by.headers if by else {}), **(headers or {})}
        return self.http.request(method, path, headers=sent, **kwargs)

    def track(self, by: User, **event: Any) -> httpx.Response:
        return self.request("POST", "/track/", by, json=event)

    def activities(self, by: User, **params: Any) -> list[dict[str, Any]]:
        response = self.request("GET", "/activities/", by, params={"page_size": 100, **params})
        assert response.status_code == 200, response.text
        return list(response.json()["results"])


def eventually(
    check: Callable[[], Found | None], what: str, timeout: float = 15, every: float = 0.1
) -> Found:
    """The first truthy result of `check`, polled until `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        assert time.monotonic() < deadline, f"{what}: not within {timeout} s"
        time.sleep(every)


@pytest.fixture(scope="package")
def insights(api: Api) -> Insights:
    return Insights(api)


@pytest.fixture(scope="package")
def team(insights: Insights) -> Team:
    """An organisation with a user of each role (CLIENT, MEMBER, ADMIN, OWNER), shared by
    the package's tests (each test names its events and activities uniquely), on the
    enterprise plan so that they may make many projects."""
    team = insights.studio.team("insights")
    insights.api.query(
        "UPDATE subscriptions SET plan_code = 'enterprise' WHERE organization_id = %s",
        uuid.UUID(team.organization),
    )
    return team


def new_team(api: Api, name: str = "insightful") -> Team:
    """An organisation with a user of each role, and "outsider": an OWNER of another."""
    team = Studio(api).team(name)
    team.users["outsider"] = api.new_user(f"{name}-outsider")
    api.new_organization(team.users["outsider"], "Elsewhere")
    return team


def read(api: Api, path: str, user: User, **params: Any) -> httpx.Response:
    """GET `path` of /api/v1/insights as `user`, with `params` as the query."""
    return api.http.get(
        f"{api.server.base_url}{INSIGHTS}{path}", headers=user.headers, params=params
    )
