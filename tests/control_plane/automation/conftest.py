"""What the Automation tests share: an organisation with a member of each role, the
Automation API's client helpers, and, for the executors' own tests, the services the
engine gives a node (a real pool on the control plane's database, its settings and key)
and a real HTTP server on loopback that records what it receives."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
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
from tests.control_plane.runtime.conftest import deploying  # noqa: F401  (a fixture here too)

AUTOMATION = "/api/v1/automation"


@dataclass
class Team:
    organization: str
    owner: User
    admin: User
    member: User
    client: User
    outsider: User  # the OWNER of another organisation
    outsiders_organization: str


@pytest.fixture(scope="module")
def team(api: Api) -> Team:
    owner = api.new_user("owner")
    organization = api.new_organization(owner)
    members = {}
    for role in ("ADMIN", "MEMBER", "CLIENT"):
        members[role] = api.new_user(role.lower())
        api.add_member(organization, owner, members[role], role)
    outsider = api.new_user("outsider")
    elsewhere = api.new_organization(outsider, "Elsewhere")
    return Team(
        organization,
        owner,
        members["ADMIN"],
        members["MEMBER"],
        members["CLIENT"],
        outsider,
        elsewhere,
    )


def automation(
    api: Api,
    method: str,
    path: str,
    user: User | None,
    headers: dict[str, str] | None = None,
    **kwargs: Any,
) -> httpx.Response:
    """A request to the Automation API as `user` (None: without a token)."""
    headers = {**(user.headers if user else {}), **(headers or {})}
    return api.http.request(
        method, f"{api.server.base_url}{AUTOMATION}{path}", headers=headers, **kwargs
    )


def new_integration(api: Api, team: Team, **body: Any) -> dict[str, Any]:
    """An integration of the team's organisation, created by its ADMIN."""
    response = automation(
        api,
        "POST",
        "/integrations/",
        team.admin,
        json={"organization_id": team.organization, **body},
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def new_project(api: Api, organization: str, owner: User) -> uuid.UUID:
    response = api.http.post(
        f"{api.server.base_url}/api/v1/studio/projects/",
        headers=owner.headers,
        json={"name": "Automated", "organization_id": organization},
    )
    assert response.status_code == 201, response.text
    return uuid.UUID(response.json()["id"])


def new_workflow(api: Api, project_id: uuid.UUID, created_by: User) -> uuid.UUID:
    """A workflow row of the project (made by SQL: the graph part's API builds them)."""
    [(workflow_id,)] = api.query(
        "INSERT INTO automation_workflows (organization_id, project_id, name, trigger_type, "
        "created_by) SELECT organization_id, id, 'Flow', 'manual', %s FROM studio_projects "
        "WHERE id = %s RETURNING id",
        uuid.UUID(created_by.id),
        project_id,
    )
    return uuid.UUID(str(workflow_id))


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


@dataclass
class Place:
    """A project of the team's organisation and a workflow of it, for node runs."""

    organization: str
    project_id: uuid.UUID
    workflow_id: uuid.UUID


@pytest.fixture(scope="module")
def place(api: Api, team: Team) -> Place:
    project_id = new_project(api, team.organization, team.owner)
    return Place(team.organization, project_id, new_workflow(api, project_id, team.admin))
