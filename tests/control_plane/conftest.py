"""The control plane as a user runs it: `nocode serve` in its own process on a real
PostgreSQL, real HTTP, and a real SMTP server (aiosmtpd) on loopback that keeps every
message it receives, for the tests to read the links sent by email."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from aiosmtpd.controller import Controller

from control_plane.foundation.jobs import housekeeping
from control_plane.jobs import JobKind, JobState, JobView, enqueue, get_job
from control_plane.migrate import migrate
from tests.conftest import (
    TEST_SECRET,
    free_port,
    fresh_database,
    nocode_environment,
    run_schemathesis,
)

FOUNDATION = "/api/v1/foundation"
PASSWORD = "correct horse battery"
_TOKEN = re.compile(r"token=([A-Za-z0-9_-]+)")


class Inbox:
    """An aiosmtpd handler: every message received, readable by recipient. A slow one
    (`delay_seconds`) takes that long to accept each message."""

    def __init__(self, delay_seconds: float = 0) -> None:
        self.messages: list[EmailMessage] = []
        self._arrived = threading.Condition()
        self.delay_seconds = delay_seconds

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(self.delay_seconds)
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self._arrived:
            self.messages.append(message)  # type: ignore[arg-type]
            self._arrived.notify_all()
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"].lower() == address.lower()]

    def wait_for(self, address: str, subject: str, timeout: float = 10) -> EmailMessage:
        deadline = time.monotonic() + timeout
        with self._arrived:
            while True:
                for message in self.to(address):
                    if subject in message["Subject"]:
                        return message
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no message {subject!r} to {address}")
                self._arrived.wait(left)

    def token(self, address: str, subject: str) -> str:
        body = self.wait_for(address, subject).get_content()
        found = _TOKEN.search(body)
        assert found, body
        return found.group(1)


@contextmanager
def smtp_server(handler: Inbox, **options: Any) -> Iterator[Inbox]:
    """A real SMTP server on loopback, handing what it receives to `handler`; `options`
    go to aiosmtpd's Controller (an `authenticator`, say)."""
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), **options)
    controller.start()
    handler.port = controller.port  # type: ignore[attr-defined]
    try:
        yield handler
    finally:
        controller.stop()


@pytest.fixture(scope="session")
def inbox() -> Iterator[Inbox]:
    with smtp_server(Inbox()) as handler:
        yield handler


@dataclass
class Server:
    base_url: str
    database_url: str
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def data_dir(self) -> Path:
        """Its NOCODE_DATA_DIR (where its log is)."""
        return self.log.parent

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


def serve(
    database_url: str | None,
    inbox: Inbox | None,
    data_dir: Path,
    wait: bool = True,
    workers: int | None = None,
    **settings: str,
) -> Server:
    """`nocode serve` on a free port, answering /health (unless not `wait`). Without a
    `database_url`, on the embedded default in `data_dir`; without an `inbox`, with no
    SMTP server configured, as on a fresh install."""
    port = free_port()
    env = {
        **nocode_environment(),
        "JWT_SECRET": TEST_SECRET,
        "PUBLIC_URL": "http://cp.test",
        "LOGIN_FAILURES_PER_ADDRESS": "10000",
    }
    if database_url is not None:
        env["DATABASE_URL"] = database_url
    if inbox is not None:
        env |= {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(inbox.port)}  # type: ignore[attr-defined]
    env |= {name.upper(): value for name, value in settings.items()}
    data_dir.mkdir(parents=True, exist_ok=True)
    log = data_dir / f"serve-{port}.log"
    options: tuple[str, ...] = ("--port", str(port), "--data-dir", str(data_dir))
    if workers is not None:
        options += ("--workers", str(workers))
    process = subprocess.Popen(
        [sys.executable, "-m", "nocode", "serve", *options],
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    server = Server(f"http://127.0.0.1:{port}", database_url or "", process, log)
    if wait:
        wait_healthy(server)
    return server


def wait_healthy(server: Server, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise AssertionError(f"nocode serve exited: {server.log.read_text()}")
        try:
            if httpx.get(f"{server.base_url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"nocode serve did not answer /health: {server.log.read_text()}")


@pytest.fixture
def database(pg_server: str) -> str:
    """A new database with every migration applied, for tests below the HTTP API."""
    url = fresh_database(pg_server)
    migrate(url)
    return url


@pytest.fixture(scope="session")
def control_plane(
    pg_server: str, inbox: Inbox, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    server = serve(fresh_database(pg_server), inbox, tmp_path_factory.mktemp("cp"))
    yield server
    server.stop()


@pytest.fixture
def own_server(pg_server: str, inbox: Inbox, tmp_path: Path) -> Iterator[Server]:
    """A server of the test's own, for a test whose writes (schemathesis') go anywhere."""
    server = serve(fresh_database(pg_server), inbox, tmp_path)
    yield server
    server.stop()


@dataclass
class User:
    email: str
    id: str
    headers: dict[str, str] = field(repr=False)
    tokens: dict[str, Any] = field(repr=False)


class Api:
    """An HTTP client of the Foundation API, with the helpers the tests share."""

    def __init__(self, server: Server, inbox: Inbox) -> None:
        self.server = server
        self.inbox = inbox
        self.http = httpx.Client(base_url=f"{server.base_url}{FOUNDATION}", timeout=30)

    def url(self, path: str) -> str:
        return f"{self.server.base_url}{FOUNDATION}{path}"

    def login(self, email: str, password: str = PASSWORD) -> User:
        response = self.http.post("/auth/login/", json={"email": email, "password": password})
        assert response.status_code == 200, response.text
        tokens = response.json()
        headers = {"Authorization": f"Bearer {tokens['access']}"}
        return User(email, tokens["user"]["id"], headers, tokens)

    def new_user(self, name: str = "user") -> User:
        email = f"{name}-{uuid.uuid4().hex[:8]}@example.com"
        response = self.http.post(
            "/auth/register/client/",
            json={"email": email, "password": PASSWORD, "first_name": name.title()},
        )
        assert response.status_code == 201, response.text
        return self.login(email)

    def new_organization(self, owner: User, name: str = "Acme") -> str:
        response = self.http.post("/organizations/", headers=owner.headers, json={"name": name})
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def add_member(self, organization: str, by: User, member: User, role: str) -> None:
        """Invite `member` with `role`, and accept with the token of the email sent."""
        response = self.http.post(
            f"/organizations/{organization}/invitations/",
            headers=by.headers,
            json={"email": member.email, "role": role},
        )
        assert response.status_code == 201, response.text
        token = self.inbox.token(member.email, "You are invited")
        self.inbox.messages[:] = [m for m in self.inbox.messages if m["To"] != member.email]
        accepted = self.http.post(
            "/invitations/accept/", headers=member.headers, json={"token": token}
        )
        assert accepted.status_code == 200, accepted.text

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        """Run SQL on the service's database directly: to prove what was (not) written,
        or to set up what the API cannot do quickly (an expired token, 999 members)."""
        with psycopg.connect(self.server.database_url) as connection:
            cursor = connection.execute(sql, params)  # type: ignore[arg-type]
            return cursor.fetchall() if cursor.description else []

    def audit_entries(self, organization: str) -> int:
        [(count,)] = self.query(
            "SELECT count(*) FROM audit_log WHERE organization_id = %s", uuid.UUID(organization)
        )
        return int(count)

    def organization_rows(self, organization: str) -> tuple[Any, ...]:
        """Everything of an organisation that a write could change, read from the database."""
        org = uuid.UUID(organization)
        return (
            self.query(
                "SELECT name, description, updated_at FROM organizations WHERE id = %s", org
            ),
            self.query(
                "SELECT user_id, role, created_at FROM memberships WHERE organization_id = %s "
                "ORDER BY user_id",
                org,
            ),
            self.query(
                "SELECT id, email, role, used_at, expires_at FROM one_time_tokens "
                "WHERE organization_id = %s ORDER BY id",
                org,
            ),
            self.query(
                "SELECT plan_code, status, updated_at FROM subscriptions "
                "WHERE organization_id = %s",
                org,
            ),
            self.query("SELECT count(*) FROM audit_log WHERE organization_id = %s", org),
        )


@pytest.fixture(scope="session")
def api(control_plane: Server, inbox: Inbox) -> Iterator[Api]:
    client = Api(control_plane, inbox)
    yield client
    client.http.close()


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The seed's error envelope, with this status and code; returns its details."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error", "details", "code"}, body
    assert body["code"] == code, body
    return dict(body["details"])


def fuzz(
    api: Api,
    caller: User,
    workdir: Path,
    parameters: dict[str, str],
    *options: str,
    max_examples: int = 30,
) -> None:
    """Schemathesis on the server's /api/schema/ as `caller`: no answer may be a 5xx.
    `parameters` ("path.project_id": a real id...) get requests past the 404s to the
    rules and the SQL; `options` narrow the operations."""
    config = workdir / "schemathesis.toml"
    lines = [f'"{name}" = "{value}"\n' for name, value in parameters.items()]
    config.write_text("[parameters]\n" + "".join(lines))
    result = run_schemathesis(
        f"{api.server.base_url}/api/schema/",
        caller.headers["Authorization"],
        workdir,
        "--checks",
        "not_a_server_error",
        *options,
        "--max-examples",
        str(max_examples),
        "--seed",
        "7",
        "--generation-allow-x00",
        "true",
        config=config,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "passed" in result.stdout


async def run_job(
    database_url: str, kind: JobKind, payload: dict[str, Any] | None = None, timeout: float = 30
) -> JobView:
    """Queue a job of `kind` (a scheduled one too: without waiting for its time), wait
    for the server's worker to run it, check that it succeeded; the job."""
    async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as connection:
        job_id = await enqueue(connection, kind, payload or {})
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            job = await get_job(connection, job_id)
            assert job is not None
            if job.state in (JobState.SUCCEEDED, JobState.FAILED):
                assert job.state == JobState.SUCCEEDED, job.error
                return job
            await asyncio.sleep(0.1)
    raise AssertionError(f"the {kind.name} job did not finish within {timeout} s")


async def run_housekeeping(database_url: str, timeout: float = 30) -> list[str]:
    """Run the Foundation's housekeeping job; its log."""
    job = await run_job(database_url, housekeeping, timeout=timeout)
    assert [step.name for step in job.steps][-1] == "mails"
    return [line.line for line in job.log]
