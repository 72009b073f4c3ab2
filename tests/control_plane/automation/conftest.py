"""Helpers of the Automation tests: an HTTP client of `/api/v1/automation`, a team of one
organisation (a user of each role) with a Studio project, and workflows built through the
API, node by node, edge by edge (`Automation.build`). For the executors' own tests: the
services the engine gives a node (a real pool on the control plane's database, its
settings and key) and a real HTTP server on loopback that records what it receives."""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from psycopg_pool import AsyncConnectionPool

from control_plane.automation.engine import executors  # noqa: F401  (registers them)
from control_plane.automation.engine.nodes import EXECUTORS, NodeRun, NodeServices
from control_plane.automation.node_types import NodeType
from control_plane.config import Settings
from control_plane.db import Conn
from platform_support.secrets import read_env_file
from platform_support.vault import KEY_VARIABLE
from tests.conftest import TEST_SECRET
from tests.control_plane.conftest import Api, Server, User
from tests.control_plane.runtime.conftest import deploying  # noqa: F401  (local deployments)
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

    def delayed(
        self,
        by: User,
        project: str,
        delay: Mapping[str, Any],
        output: Mapping[str, Any],
        **workflow: Any,
    ) -> Workflow:
        """Start -> Wait (a delay node of config `delay`) -> After (a transform of `output`)."""
        nodes: dict[str, tuple[str, Mapping[str, Any]]] = {
            "Start": ("trigger", {}),
            "Wait": ("delay", {"config": delay}),
            "After": ("transform", {"config": {"output": output}}),
        }
        return self.build(by, project, nodes, [("Start", "Wait"), ("Wait", "After")], **workflow)

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


# Integrations' helpers (the part `integrations`).


@pytest.fixture(scope="module")
def outsider(api: Api) -> tuple[User, str]:
    """The OWNER of another organisation, and that organisation."""
    user = api.new_user("outsider")
    return user, api.new_organization(user, "Elsewhere")


def new_integration(automation: Automation, team: Team, **body: Any) -> dict[str, Any]:
    """An integration of the team's organisation, created by its ADMIN."""
    body = {"organization_id": team.organization, **body}
    response = automation.request("POST", "/integrations/", team.users["ADMIN"], json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def smtp_integration(
    automation: Automation, team: Team, port: int, name: str = "Mail", **settings: Any
) -> dict[str, Any]:
    """An `email` integration for an SMTP server on 127.0.0.1:`port` without TLS;
    `settings` adds to its configuration (username, password...)."""
    configuration = {
        "host": "127.0.0.1",
        "port": port,
        "security": "none",
        "from_email": "robot@example.com",
        **settings,
    }
    return new_integration(
        automation, team, name=name, type="email", provider="smtp", configuration=configuration
    )


def chat_integration(
    automation: Automation, team: Team, webhook_url: str, name: str = "Chat"
) -> dict[str, Any]:
    """A `messaging` integration (slack) posting to `webhook_url`."""
    return new_integration(
        automation,
        team,
        name=name,
        type="messaging",
        provider="slack",
        configuration={"webhook_url": webhook_url},
    )


def new_workflow(api: Api, project_id: uuid.UUID, created_by: User) -> uuid.UUID:
    """A workflow row of the project made by SQL, for the executors' own tests (which run
    nodes without a graph)."""
    [(workflow_id,)] = api.query(
        "INSERT INTO automation_workflows (organization_id, project_id, name, trigger_type, "
        "created_by) SELECT organization_id, id, 'Flow', 'manual', %s FROM studio_projects "
        "WHERE id = %s RETURNING id",
        uuid.UUID(created_by.id),
        project_id,
    )
    return uuid.UUID(str(workflow_id))


@dataclass
class Place:
    """A project of the team's organisation and a workflow of it, for node runs."""

    organization: str
    project_id: uuid.UUID
    workflow_id: uuid.UUID


@pytest.fixture(scope="module")
def place(api: Api, team: Team, project: str) -> Place:
    project_id = uuid.UUID(project)
    workflow_id = new_workflow(api, project_id, team.users["ADMIN"])
    return Place(team.organization, project_id, workflow_id)


def settings_of(server: Server, **overrides: Any) -> Settings:
    """The settings of `server` (its database and secret key), with `overrides`."""
    values = {
        "database_url": server.database_url,
        "jwt_secret": TEST_SECRET,
        KEY_VARIABLE: read_env_file(server.data_dir)[KEY_VARIABLE],
        "NOCODE_DATA_DIR": str(server.data_dir),
        **overrides,
    }
    return Settings.model_validate(values)


@dataclass
class Executing:
    """What a node's executor is given, and what it logged."""

    services: NodeServices
    organization_id: uuid.UUID
    project_id: uuid.UUID
    workflow_id: uuid.UUID
    log: list[str] = field(default_factory=list)

    async def run(
        self,
        node_type: NodeType,
        config: dict[str, Any],
        input_data: dict[str, Any] | None = None,
        *,
        dry_run: bool = False,
        seconds: float = 60,
    ) -> dict[str, Any]:
        """Run one node of `node_type` with `config` over `input_data`, as the engine would."""
        data = input_data or {}
        node = NodeRun(
            node_id=uuid.uuid4(),
            name=f"{node_type} node",
            node_type=node_type,
            config=config,
            organization_id=self.organization_id,
            project_id=self.project_id,
            workflow_id=self.workflow_id,
            execution_id=uuid.uuid4(),
            scope={"input_data": data, "nodes": {}, **data},
            input=data,
            dry_run=dry_run,
            deadline=time.monotonic() + seconds,
            services=self.services,
        )
        return await EXECUTORS[node_type].run(node)


@asynccontextmanager
async def executing(
    server: Server,
    organization: str,
    project_id: uuid.UUID,
    workflow_id: uuid.UUID,
    **settings: Any,
) -> AsyncIterator[Executing]:
    """The services of a node run on `server`'s database and key."""
    pool: AsyncConnectionPool[Conn] = AsyncConnectionPool(
        server.database_url, min_size=1, max_size=4, open=False, kwargs={"autocommit": True}
    )
    await pool.open()
    log: list[str] = []

    async def add_line(line: str) -> None:
        log.append(line)

    try:
        services = NodeServices(pool, settings_of(server, **settings), add_line)
        yield Executing(services, uuid.UUID(organization), project_id, workflow_id, log)
    finally:
        await pool.close()


def executing_in(
    api: Api, place: Place, *, loopback: bool = True
) -> AbstractAsyncContextManager[Executing]:
    """`executing` in `place` on the `api`'s server (`loopback`: whether the outbound
    policy lets nodes reach the tests' local servers)."""
    return executing(
        api.server,
        place.organization,
        place.project_id,
        place.workflow_id,
        automation_allow_loopback=loopback,
    )


def run_node(
    api: Api,
    place: Place,
    node_type: NodeType,
    config: dict[str, Any],
    *,
    loopback: bool = True,
    **kw: Any,
) -> dict[str, Any]:
    """`Executing.run` from a test: one node in `place` (`kw`: input_data, dry_run...)."""

    async def scenario() -> dict[str, Any]:
        async with executing_in(api, place, loopback=loopback) as here:
            return await here.run(node_type, config, **kw)

    return asyncio.run(scenario())


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Web:
    """A real HTTP server on loopback: `url(path)`, and what it received."""

    base: str
    received: list[Received] = field(default_factory=list)
    failures_left: int = 0  # /flaky answers 503 this many times, then 200

    def url(self, path: str) -> str:
        return f"{self.base}{path}"


def _handler(web: Web) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _answer(self, status: int, body: bytes, content_type: str, **headers: str) -> None:
            self.send_response(status)
            self.send_header("content-type", content_type)
            self.send_header("content-length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name.replace("_", "-"), value)
            self.end_headers()
            self.wfile.write(body)

        def _handle(self) -> None:
            length = int(self.headers.get("content-length", 0))
            body = self.rfile.read(length) if length else b""
            headers = {name.lower(): value for name, value in self.headers.items()}
            web.received.append(Received(self.command, self.path, headers, body))
            path, _, query = self.path.partition("?")
            if path == "/redirect":
                self._answer(302, b"", "text/plain", location=query.removeprefix("to="))
            elif path == "/flaky" and web.failures_left > 0:
                web.failures_left -= 1
                self._answer(503, b"busy", "text/plain")
            elif path == "/big":
                self._answer(200, b"x" * 200_000, "text/plain")
            elif path == "/missing":
                self._answer(404, b'{"error": "no"}', "application/json")
            else:
                echo = {"method": self.command, "path": self.path, "body": body.decode()}
                self._answer(200, json.dumps(echo).encode(), "application/json")

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

    return Handler


@contextmanager
def web_server() -> Iterator[Web]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    web = Web(f"http://127.0.0.1:{server.server_address[1]}")
    server.RequestHandlerClass = _handler(web)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield web
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def web() -> Iterator[Web]:
    with web_server() as served:
        yield served
