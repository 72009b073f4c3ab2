"""A project's data through the platform: the seed 000 paths on the control plane's base
URL, forwarded to the deployed CRM app (a real granian server on a real PostgreSQL) with
a token of the caller's role."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import jwt
import pytest

from tests.conftest import (
    TEST_SECRET,
    RunningApp,
    free_port,
    fresh_database,
)
from tests.control_plane.conftest import Api, Inbox, User, assert_error, fuzz, serve
from tests.control_plane.runtime.instance_fixture import add_app, project_id, register_app

CLIENT = {"nom": "Jean Dupont", "email": "jean.dupont@example.com"}
JSON = {"content-type": "application/json"}


@dataclass
class Tenants:
    organization: str
    owner: User
    admin: User
    member: User
    client: User
    outsider: User  # the OWNER of another organisation


@pytest.fixture(scope="module")
def tenants(api: Api) -> Tenants:
    owner = api.new_user("owner")
    organization = api.new_organization(owner)
    members = {}
    for role in ("ADMIN", "MEMBER", "CLIENT"):
        members[role] = api.new_user(role.lower())
        api.add_member(organization, owner, members[role], role)
    outsider = api.new_user("outsider")
    api.new_organization(outsider, "Elsewhere")
    return Tenants(
        organization, owner, members["ADMIN"], members["MEMBER"], members["CLIENT"], outsider
    )


@dataclass
class Deployed:
    app_id: uuid.UUID
    base: str  # the project's data on the platform: .../api/v1/runtime/projects/{id}/
    app: RunningApp


@pytest.fixture
def deployed(api: Api, tenants: Tenants, empty_crm: RunningApp) -> Deployed:
    app_id = register_app(api, tenants.organization, empty_crm)
    base = f"{api.server.base_url}/api/v1/runtime/projects/{project_id(empty_crm)}/"
    return Deployed(app_id, base, empty_crm)


def test_records_through_the_platform(http: httpx.Client, tenants: Tenants, deployed: Deployed):
    owner = tenants.owner.headers
    assert http.get(f"{deployed.base}tables/clients/", headers=owner).json()["count"] == 0

    created = http.post(f"{deployed.base}tables/clients/", headers=owner, json=CLIENT)
    assert created.status_code == 201, created.text
    record = created.json()
    assert {key: record[key] for key in CLIENT} == CLIENT
    url = f"{deployed.base}tables/clients/{record['id']}/"
    assert http.get(url, headers=owner).json() == record

    replaced = http.put(url, headers=owner, json={"telephone": "+33612345678"})
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["telephone"] == "+33612345678"
    assert replaced.json()["nom"] == CLIENT["nom"]
    patched = http.patch(url, headers=owner, json={"adresse": "Paris"})
    assert patched.status_code == 200, patched.text
    assert set(patched.json()) == {"id", "adresse", "updated_at"}

    deleted = http.delete(url, headers=owner)
    assert deleted.status_code == 204, deleted.text
    assert deleted.content == b""
    assert_error(http.get(url, headers=owner), 404, "NOT_FOUND")

    # What the platform answers is what the app answers, byte for byte.
    made = http.post(
        f"{deployed.base}tables/produits/",
        headers=owner,
        json={"reference": "REF-1", "nom": "Clavier", "prix": 49.90, "stock": 3},
    )
    assert made.status_code == 201, made.text
    assert '"prix":49.90' in made.text.replace(" ", "")
    direct = http.get(f"{deployed.app.api}tables/produits/", headers=deployed.app.headers())
    forwarded = http.get(f"{deployed.base}tables/produits/", headers=owner)
    assert forwarded.content == direct.content
    assert forwarded.headers["content-type"] == direct.headers["content-type"]
    # A record too large to be sent in one piece is streamed, byte for byte too.
    large = {
        "reference": "REF-2",
        "nom": "Long",
        "prix": 1,
        "stock": 1,
        "description": "é" * 100_000,
    }
    made = http.post(f"{deployed.base}tables/produits/", headers=owner, json=large)
    assert made.status_code == 201, made.text
    path = f"tables/produits/{made.json()['id']}/"
    direct = http.get(f"{deployed.app.api}{path}", headers=deployed.app.headers())
    forwarded = http.get(f"{deployed.base}{path}", headers=owner)
    assert len(direct.content) > 64 * 1024
    assert forwarded.content == direct.content
    assert forwarded.headers["content-length"] == direct.headers["content-length"]
    for path in (
        "schema/",
        "schema/produits/",
        "tables/produits/schema/",
        "tables/produits/fields/",
    ):
        direct = http.get(f"{deployed.app.api}{path}", headers=deployed.app.headers())
        forwarded = http.get(f"{deployed.base}{path}", headers=owner)
        assert (forwarded.status_code, forwarded.json()) == (200, direct.json()), path


def test_roles_are_the_callers_role_in_the_organization(
    http: httpx.Client, tenants: Tenants, deployed: Deployed
):
    base = deployed.base
    made = http.post(f"{base}tables/clients/", headers=tenants.member.headers, json=CLIENT)
    assert made.status_code == 201, made.text
    client_url = f"{base}tables/clients/{made.json()['id']}/"

    # CLIENT: the public tables only, as the app decides.
    client = tenants.client.headers
    assert http.get(f"{base}tables/produits/", headers=client).status_code == 200
    assert http.get(f"{base}tables/clients/", headers=client).status_code == 403
    tables = http.get(f"{base}schema/", headers=client).json()["tables"]
    assert set(tables) == {"produits"}
    # MEMBER: create, read, update clients, not delete them; ADMIN deletes.
    assert http.delete(client_url, headers=tenants.member.headers).status_code == 403
    assert http.delete(client_url, headers=tenants.admin.headers).status_code == 204


def test_another_organization_gets_what_an_unknown_project_gets(
    http: httpx.Client, api: Api, tenants: Tenants, deployed: Deployed
):
    outsider = tenants.outsider.headers
    theirs = http.get(f"{deployed.base}tables/produits/", headers=outsider)
    unknown_base = deployed.base.replace(str(project_id(deployed.app)), str(uuid.uuid4()))
    unknown = http.get(f"{unknown_base}tables/produits/", headers=outsider)
    assert_error(theirs, 404, "NOT_FOUND")
    assert theirs.json() == unknown.json()
    assert http.post(f"{deployed.base}tables/produits/", headers=outsider, json={}).json() == (
        unknown.json()
    )
    # Without a platform token: 401, and the app's own tokens mean nothing here.
    assert_error(http.get(f"{deployed.base}schema/"), 401, "NOT_AUTHENTICATED")
    app_token = deployed.app.headers()
    assert_error(http.get(f"{deployed.base}schema/", headers=app_token), 401, "NOT_AUTHENTICATED")


def test_page_links_point_at_the_platform(
    http: httpx.Client, api: Api, tenants: Tenants, catalogue: RunningApp, deployed: Deployed
):
    owner = tenants.owner.headers
    first = http.get(
        f"{deployed.base}tables/produits/",
        headers=owner,
        params={"page_size": 10, "sort_by": "stock", "sort_order": "asc"},
    ).json()
    assert first["count"] == 25 and first["previous"] is None
    assert first["next"].startswith(f"{deployed.base}tables/produits/?"), first["next"]
    # The page is the app's, byte for byte (DECIMAL scales too), but for the links' base.
    direct = http.get(
        f"{catalogue.api}tables/produits/",
        headers=catalogue.headers(),
        params={"page_size": 10, "sort_by": "stock", "sort_order": "asc", "page": 2},
    )
    forwarded = http.get(first["next"], headers=owner)
    platform = api.server.base_url.encode()
    assert forwarded.content == direct.content.replace(catalogue.base_url.encode(), platform)
    assert b'"prix":120.50' in forwarded.content.replace(b" ", b"")
    second = forwarded.json()
    assert [row["stock"] for row in second["results"]] == list(range(11, 21))
    assert http.get(second["previous"], headers=owner).json()["results"] == first["results"]

    # An environment chosen explicitly stays in the links; it never reaches the app.
    chosen = http.get(
        f"{deployed.base}tables/produits/",
        headers=owner,
        params={"page_size": 10, "environment": "production"},
    ).json()
    # The app builds its links from the query it got: `environment` is there once.
    assert chosen["next"].count("environment=") == 1, chosen["next"]
    assert "environment=production" in chosen["next"]
    assert http.get(chosen["next"], headers=owner).json()["count"] == 25


def test_bad_input_gets_the_apps_answer(http: httpx.Client, tenants: Tenants, deployed: Deployed):
    owner = tenants.owner.headers
    direct = deployed.app.headers("OWNER")
    cases = [
        ("POST", "tables/clients/", {"json": {"email": "x@example.com"}}),  # RUNTIME_002
        ("POST", "tables/clients/", {"json": {"nom": "A", "email": "not an email"}}),
        ("POST", "tables/clients/", {"content": b"{not json", "headers": JSON}),
        ("GET", "tables/nope/", {}),  # RUNTIME_001
        ("GET", "schema/nope/", {}),
        ("GET", "tables/clients/abc/", {}),
        ("GET", "tables/produits/", {"params": {"filters": '{"prix__foo": 1}'}}),
        ("GET", "tables/produits/", {"params": {"page_size": 1000}}),
    ]
    for method, path, options in cases:
        headers = {**options.pop("headers", {})}  # type: ignore[dict-item]
        expected = http.request(
            method, f"{deployed.app.api}{path}", headers={**headers, **direct}, **options
        )
        forwarded = http.request(
            method, f"{deployed.base}{path}", headers={**headers, **owner}, **options
        )
        assert expected.status_code >= 400, (path, expected.text)
        assert (forwarded.status_code, forwarded.json()) == (
            expected.status_code,
            expected.json(),
        ), (method, path)
    assert http.get(f"{deployed.base}tables/nope/", headers=owner).json()["code"] == "RUNTIME_001"


def test_no_app_in_the_environment(http: httpx.Client, tenants: Tenants, deployed: Deployed):
    owner = tenants.owner.headers
    staging = http.get(f"{deployed.base}schema/", headers=owner, params={"environment": "staging"})
    details = assert_error(staging, 404, "APP_NOT_DEPLOYED")
    assert details == {"environment": "Nothing is deployed in staging."}
    bad = http.get(f"{deployed.base}schema/", headers=owner, params={"environment": "prod"})
    assert "environment" in assert_error(bad, 400, "VALIDATION_ERROR")


def test_the_most_recently_deployed_app_serves(
    http: httpx.Client, api: Api, tenants: Tenants, deployed: Deployed
):
    owner = tenants.owner.headers
    gone = add_app(api, deployed.app, "production", f"http://127.0.0.1:{free_port()}")
    api.query(
        "UPDATE runtime_instances SET updated_at = now() - interval '1 hour' WHERE app_id = %s",
        gone,
    )
    assert http.get(f"{deployed.base}schema/", headers=owner).status_code == 200
    api.query("UPDATE runtime_instances SET updated_at = now() WHERE app_id = %s", gone)
    assert_error(http.get(f"{deployed.base}schema/", headers=owner), 503, "APP_UNAVAILABLE")


@contextmanager
def listening(handle: Callable[[socket.socket], None]) -> Iterator[str]:
    """A TCP server on loopback that hands each connection to `handle`: its URL."""
    listener = socket.create_server(("127.0.0.1", 0))

    def serve_connections() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            handle(connection)

    threading.Thread(target=serve_connections, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        listener.close()


@pytest.fixture
def hang_up() -> Iterator[str]:
    """A server that reads a request and closes the connection without a word."""

    def close(connection: socket.socket) -> None:
        connection.recv(65536)
        connection.close()

    with listening(close) as url:
        yield url


@pytest.fixture
def silent() -> Iterator[str]:
    """A server that reads a request and never answers."""
    kept: list[socket.socket] = []
    with listening(kept.append) as url:
        yield url
    for connection in kept:
        connection.close()


def test_an_app_that_is_down(
    http: httpx.Client, api: Api, tenants: Tenants, empty_crm: RunningApp, hang_up: str
):
    owner = tenants.owner.headers
    base = f"{api.server.base_url}/api/v1/runtime/projects/{project_id(empty_crm)}/"
    register_app(api, tenants.organization, empty_crm, url=f"http://127.0.0.1:{free_port()}")
    refused = http.get(f"{base}tables/produits/", headers=owner)
    assert assert_error(refused, 503, "APP_UNAVAILABLE") == {
        "app": "The app does not accept connections."
    }
    assert refused.headers["retry-after"] == "5"

    register_app(api, tenants.organization, empty_crm, url=hang_up)
    broken = http.post(f"{base}tables/produits/", headers=owner, json={"nom": "x"})
    assert_error(broken, 502, "APP_BAD_RESPONSE")

    # An app whose JWT_SECRET is not the one the platform holds refuses its tokens: the
    # caller's own token is fine, so this is no 401 of theirs.
    register_app(api, tenants.organization, empty_crm, secret="another-secret-" + "x" * 32)
    refusing = http.get(f"{base}tables/produits/", headers=owner)
    assert assert_error(refusing, 502, "APP_BAD_RESPONSE") == {
        "app": "The app refused the platform's token."
    }


def test_app_token_for_the_apps_own_base_url(
    http: httpx.Client, api: Api, tenants: Tenants, deployed: Deployed
):
    url = f"{api.server.base_url}/api/v1/runtime/apps/{deployed.app_id}/token/"
    issued = http.post(url, headers=tenants.member.headers)
    assert issued.status_code == 200, issued.text
    body = issued.json()
    assert set(body) == {"token", "token_type", "expires_in", "api_base_url", "role"}
    assert body["api_base_url"] == deployed.app.api
    assert (body["token_type"], body["role"]) == ("Bearer", "MEMBER")
    assert 15 * 60 <= body["expires_in"] <= 16 * 60
    claims = jwt.decode(body["token"], TEST_SECRET, algorithms=["HS256"])
    assert (claims["sub"], claims["role"]) == (tenants.member.id, "MEMBER")
    headers = {"Authorization": f"Bearer {body['token']}"}
    made = http.post(f"{body['api_base_url']}tables/clients/", headers=headers, json=CLIENT)
    assert made.status_code == 201, made.text
    [(action, details)] = api.query(
        "SELECT action, details FROM audit_log WHERE object_id = %s", str(deployed.app_id)
    )
    assert (action, details) == ("app.token", {"environment": "production", "role": "MEMBER"})

    client = http.post(url, headers=tenants.client.headers).json()
    assert client["role"] == "CLIENT"
    assert_error(http.post(url, headers=tenants.outsider.headers), 404, "NOT_FOUND")
    unknown = url.replace(str(deployed.app_id), str(uuid.uuid4()))
    assert http.post(unknown, headers=tenants.outsider.headers).json() == (
        http.post(url, headers=tenants.outsider.headers).json()
    )
    staging = http.post(url, headers=tenants.owner.headers, params={"environment": "staging"})
    assert_error(staging, 404, "APP_NOT_DEPLOYED")
    assert_error(http.post(url), 401, "NOT_AUTHENTICATED")


def test_schemathesis_finds_no_server_error(
    api: Api, tenants: Tenants, catalogue: RunningApp, deployed: Deployed, tmp_path: Path
):
    """Requests generated from /api/schema/ for the data paths and the app token, on the
    deployed project's produits and its app: the app answers each (forwarded), none with
    a 5xx."""
    parameters = {
        "path.project_id": str(project_id(deployed.app)),
        "path.app_id": str(deployed.app_id),
        "path.table": "produits",
        "path.record_id": "3",
    }
    paths = "^/api/v1/runtime/(projects|apps)/"
    fuzz(api, tenants.owner, tmp_path, parameters, "--include-path-regex", paths)


def test_an_app_that_does_not_answer(
    pg_server: str, inbox: Inbox, tmp_path: Path, crm: RunningApp, silent: str
):
    server = serve(fresh_database(pg_server), inbox, tmp_path / "platform", app_timeout="1")
    own = Api(server, inbox)
    try:
        owner = own.new_user("owner")
        register_app(own, own.new_organization(owner), crm, url=silent)
        base = f"{server.base_url}/api/v1/runtime/projects/{project_id(crm)}/"
        started = time.monotonic()
        answer = httpx.get(f"{base}schema/", headers=owner.headers, timeout=30)
        assert assert_error(answer, 504, "APP_TIMEOUT") == {"app": "No answer within 1 s."}
        assert time.monotonic() - started < 10
    finally:
        own.http.close()
        server.stop()
