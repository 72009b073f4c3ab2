"""Helpers of the Automation tests: an HTTP client of `/api/v1/automation`, a team of one
organisation (a user of each role) with a Studio project, and workflows built through the
API, node by node, edge by edge (`Automation.build`)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.control_plane.conftest import Api, User
from tests.control_plane.runtime.conftest import deploying  # noqa: F401  (record events)
from tests.control_plane.studio.conftest import Studio, Team

AUTOMATION = "/api/v1/automation"


@dataclass
class Workflow:
    """A workflow built by `Automation.build`: its id, and its nodes' and edges' ids by
    the names given."""

    id: str
    nodes: dict[str, str]
    edges: dict[tuple[str, str], str]


class Automation:
    def __init__(self, api: Api) -> None:
        self.api = api
        self.studio = Studio(api)
        self.http = httpx.Client(base_url=f"{api.server.base_url}{AUTOMATION}", timeout=30)

    def request(
        self, method: str, path: str, by: User, headers: Mapping[str, str] = {}, **kwargs: Any
    ) -> httpx.Response:
        return self.http.request(method, path, headers={**by.headers, **headers}, **kwargs)

    def project(self, team: Team, name: str = "Gestion Client") -> str:
        """A new project without its default workflows (test_triggers_defaults.py has
        them), so that a test's workflows are the project's only ones."""
        project = self.studio.new_project(team.owner, team.organization, name)
        self.api.query(
            "DELETE FROM automation_workflows WHERE project_id = %s AND default_key IS NOT NULL",
            uuid.UUID(project),
        )
        return project

    def workflow(self, by: User, project: str, **body: Any) -> dict[str, Any]:
        """A new workflow (manual trigger unless `body` says otherwise)."""
        body = {"name": "Onboarding", "project": project, "trigger_type": "manual", **body}
        response = self.request("POST", "/workflows/", by, json=body)
        assert response.status_code == 201, response.text
        return dict(response.json())

    def node(self, by: User, workflow: str, node_type: str, **body: Any) -> dict[str, Any]:
        body = {"name": node_type.title(), "node_type": node_type, **body}
        response = self.request("POST", f"/workflows/{workflow}/nodes/", by, json=body)
        assert response.status_code == 201, response.text
        return dict(response.json())

    def edge(
        self, by: User, workflow: str, source: str, target: str, **body: Any
    ) -> dict[str, Any]:
        body = {"source_node": source, "target_node": target, **body}
        response = self.request("POST", f"/workflows/{workflow}/edges/", by, json=body)
        assert response.status_code == 201, response.text
        return dict(response.json())

    def build(
        self,
        by: User,
        project: str,
        nodes: Mapping[str, tuple[str, Mapping[str, Any]]],
        edges: Sequence[tuple[str, str] | tuple[str, str, str]] = (),
        **workflow: Any,
    ) -> Workflow:
        """A workflow with `nodes` ({name: (node_type, other keys of the node's body)})
        joined by `edges` ((source name, target name[, condition]))."""
        workflow_id = self.workflow(by, project, **workflow)["id"]
        node_ids = {
            name: self.node(by, workflow_id, node_type, name=name, **body)["id"]
            for name, (node_type, body) in nodes.items()
        }
        edge_ids = {}
        for source, target, *condition in edges:
            extra = {"condition": condition[0]} if condition else {}
            edge = self.edge(by, workflow_id, node_ids[source], node_ids[target], **extra)
            edge_ids[(source, target)] = edge["id"]
        return Workflow(workflow_id, node_ids, edge_ids)

    def execute(self, by: User, workflow: str, **body: Any) -> dict[str, Any]:
        """Start an execution (202); its answer."""
        response = self.request("POST", f"/workflows/{workflow}/execute/", by, json=body)
        assert response.status_code == 202, response.text
        return dict(response.json())

    def wait_for(
        self, by: User, execution: str, *statuses: str, timeout: float = 30
    ) -> dict[str, Any]:
        """The execution once its status is one of `statuses` (a final one by default)."""
        wanted = statuses or ("completed", "failed", "cancelled")
        deadline = time.monotonic() + timeout
        while True:
            response = self.request("GET", f"/executions/{execution}/", by)
            assert response.status_code == 200, response.text
            found = dict(response.json())
            if found["status"] in wanted:
                return found
            assert time.monotonic() < deadline, f"still {found['status']}: {found}"
            time.sleep(0.05)


@pytest.fixture(scope="module")
def automation(api: Api) -> Automation:
    return Automation(api)


@pytest.fixture(scope="module")
def team(automation: Automation) -> Team:
    """An organisation with a user of each role (CLIENT, MEMBER, ADMIN, OWNER), on the
    enterprise plan so that the tests may make many projects."""
    team = automation.studio.team("auto")
    automation.api.query(
        "UPDATE subscriptions SET plan_code = 'enterprise' WHERE organization_id = %s",
        uuid.UUID(team.organization),
    )
    return team


@pytest.fixture(scope="module")
def project(automation: Automation, team: Team) -> str:
    return automation.project(team)
