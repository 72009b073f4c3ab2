"""Helpers of the Insights tests: an HTTP client of `/api/v1/insights` on the session's
control plane, a team of one organisation with a user of each role, and the reports'
`story` (events of known answers, tests/control_plane/insights/reporting.py)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

import httpx
import pytest

from tests.control_plane.conftest import Api, User
from tests.control_plane.insights.reporting import (
    Story,
    add_many_activities,
    story_activities,
    story_events,
    tracked,
)
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

    def get(self, path: str, by: User, **params: Any) -> httpx.Response:
        return self.request("GET", path, by, params=params)

    def report(self, by: User, organization: str, **params: Any) -> dict[str, Any]:
        """GET /analytics/: the report, answered 200."""
        response = self.get("/analytics/", by, organization=organization, **params)
        assert response.status_code == 200, response.text
        return dict(response.json())

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


@pytest.fixture(scope="package")
def story(insights: Insights) -> Story:
    """The reports' story (reporting.py): its events tracked through POST /track/batch/
    (the CLIENT's own by the CLIENT, the anonymous ones by the OWNER), its activities
    posted to /activities/."""
    api = insights.api
    studio = insights.studio
    team = studio.team("story")
    project = studio.new_project(team.owner, team.organization, "Boutique")
    other = studio.new_project(team.owner, team.organization, "Blog")
    outsider = api.new_user("elsewhere")
    elsewhere = api.new_organization(outsider, "Elsewhere")
    story = Story(team, project, other, elsewhere, outsider)
    client = team.users["CLIENT"]
    events = story_events(story, client)
    stranger = {**events[0], "organization_id": elsewhere, "project_id": None}
    batches = [
        (team.owner, [tracked(e) for e in events if e.get("user_id") != client.id]),
        (client, [tracked(e) for e in events if e.get("user_id") == client.id]),
        (outsider, [tracked(stranger)]),
    ]
    for by, batch in batches:
        response = insights.request("POST", "/track/batch/", by, json={"events": batch})
        assert response.status_code == 202, response.text
    for by, activity in story_activities(story):
        response = insights.request("POST", "/activities/", by, json=activity)
        assert response.status_code == 201, response.text
    add_many_activities(api.server.database_url, elsewhere)
    return story


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
