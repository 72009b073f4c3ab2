"""Hostile input to the generated app, over real HTTP to its granian server and a real
PostgreSQL: huge and endless bodies, lone surrogates, deep nesting, long numbers, lax
filter values, deletes of referenced records and pages past the end. Each answer is the
seed envelope with the right status, never a 500, and nothing is half-written."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from psycopg import sql

from generator.generate import generate
from tests.app.test_errors import assert_error
from tests.app.test_listing import listing
from tests.app.test_records import PRODUIT
from tests.conftest import RunningApp, fresh_database, start_app
from tests.regeneration.helpers import serving
from tests.regeneration.versions import write_spec

MIB = 1024 * 1024


def count(app: RunningApp, table: str) -> int:
    with psycopg.connect(app.database_url) as connection:
        statement = sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
        row = connection.execute(statement).fetchone()
    assert row is not None
    return int(row[0])


def post_raw(http: httpx.Client, app: RunningApp, table: str, body: bytes) -> httpx.Response:
    """A body as the client wrote it: JSON escapes Python's encoder would not produce."""
    headers = {**app.headers(), "Content-Type": "application/json"}
    return http.post(f"{app.api}tables/{table}/", content=body, headers=headers)


def filtered(http: httpx.Client, app: RunningApp, filters: str) -> httpx.Response:
    """The produits list under a `filters` parameter, given as raw text."""
    return http.get(
        f"{app.api}tables/produits/", params={"filters": filters}, headers=app.headers()
    )


def raw_exchange(app: RunningApp, head: str, body: bytes) -> tuple[int, dict[str, str], Any]:
    """Send a request head and the start of its body on a socket, then read the answer
    without ever sending the rest: the server must answer from what it has."""
    host, port = app.base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(head.encode("latin-1") + b"\r\n\r\n" + body)
        received = b""
        while b"\r\n\r\n" not in received or not _complete(received):
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
    status_line, _, rest = received.partition(b"\r\n")
    head_bytes, _, payload = rest.partition(b"\r\n\r\n")
    headers = dict(
        (name.strip().lower(), value.strip())
        for name, _, value in (line.decode().partition(":") for line in head_bytes.split(b"\r\n"))
    )
    return int(status_line.split()[1]), headers, json.loads(payload)


def _complete(received: bytes) -> bool:
    head, _, payload = received.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(payload) >= int(value)
    return False


def request_head(app: RunningApp, table: str, *headers: str) -> str:
    path = app.api.removeprefix(app.base_url) + f"tables/{table}/"
    auth = app.headers()["Authorization"]
    return "\r\n".join(
        [
            f"POST {path} HTTP/1.1",
            f"Host: {app.base_url.removeprefix('http://')}",
            f"Authorization: {auth}",
            "Content-Type: application/json",
            *headers,
        ]
    )


# Request bodies are bounded (MAX_BODY_BYTES, 1 MiB by default).


def test_a_body_over_the_limit_is_413_and_stores_nothing(
    http: httpx.Client, empty_crm: RunningApp
) -> None:
    huge = {**PRODUIT, "description": "x" * MIB}
    response = http.post(f"{empty_crm.api}tables/produits/", json=huge, headers=empty_crm.headers())
    assert_error(response, 413, "PAYLOAD_TOO_LARGE", "body")
    assert response.headers["connection"] == "close"
    fits = {**PRODUIT, "description": "x" * (MIB - 1000)}
    assert (
        http.post(
            f"{empty_crm.api}tables/produits/", json=fits, headers=empty_crm.headers()
        ).status_code
        == 201
    )
    assert count(empty_crm, "produits") == 1


def test_a_declared_length_over_the_limit_is_refused_before_the_body_is_read(
    empty_crm: RunningApp,
) -> None:
    """100 MB announced, 1 KB sent: the answer comes without the rest."""
    head = request_head(empty_crm, "produits", f"Content-Length: {100 * 1000 * 1000}")
    status, headers, body = raw_exchange(empty_crm, head, b'{"description": "' + b"x" * 1000)
    assert status == 413 and headers["connection"] == "close"
    assert set(body) == {"error", "details", "code"} and body["code"] == "PAYLOAD_TOO_LARGE"
    assert count(empty_crm, "produits") == 0


def test_a_chunked_body_is_refused_once_it_crosses_the_limit(empty_crm: RunningApp) -> None:
    """A body without a length: chunks past 1 MiB sent, the end never comes."""
    head = request_head(empty_crm, "produits", "Transfer-Encoding: chunked")
    chunk = b"x" * 65536
    chunks = b"".join(b"%x\r\n%b\r\n" % (len(chunk), chunk) for _ in range(17))
    status, _, body = raw_exchange(empty_crm, head, b'11\r\n{"description": "\r\n' + chunks)
    assert status == 413 and body["code"] == "PAYLOAD_TOO_LARGE"
    assert count(empty_crm, "produits") == 0


def test_a_chunked_body_within_the_limit_is_read(http: httpx.Client, empty_crm: RunningApp) -> None:
    def pieces() -> Iterator[bytes]:
        yield json.dumps(PRODUIT).encode()

    response = http.post(
        f"{empty_crm.api}tables/produits/",
        content=pieces(),
        headers={**empty_crm.headers(), "Content-Type": "application/json"},
    )
    assert response.status_code == 201, response.text
    assert "content-length" not in response.request.headers


def test_the_limit_is_a_setting(http: httpx.Client, crm_dir: Path, pg_server: str) -> None:
    app = start_app(crm_dir, fresh_database(pg_server), MAX_BODY_BYTES="200")
    try:
        long_name = {**PRODUIT, "nom": "x" * 200}
        response = http.post(f"{app.api}tables/produits/", json=long_name, headers=app.headers())
        assert_error(response, 413, "PAYLOAD_TOO_LARGE", "body")
        response = http.post(f"{app.api}tables/produits/", json=PRODUIT, headers=app.headers())
        assert response.status_code == 201
    finally:
        app.process.terminate()
        app.process.wait(timeout=30)


# Text PostgreSQL cannot hold: lone surrogates, escaped in JSON. (pydantic refuses them
# in a string with a length or pattern, not in a plain one like a TEXT_LONG field.)

SURROGATE = '"Clavier \\ud800"'


def test_a_lone_surrogate_in_a_created_record_is_runtime_003(
    http: httpx.Client, empty_crm: RunningApp
) -> None:
    body = json.dumps({**PRODUIT, "description": "TEXT"}).replace('"TEXT"', SURROGATE)
    response = post_raw(http, empty_crm, "produits", body.encode())
    assert_error(response, 400, "RUNTIME_003", "description")
    assert count(empty_crm, "produits") == 0


def test_a_lone_surrogate_in_a_patch_or_put_is_runtime_003(
    http: httpx.Client, empty_crm: RunningApp
) -> None:
    created = http.post(
        f"{empty_crm.api}tables/produits/", json=PRODUIT, headers=empty_crm.headers()
    ).json()
    url = f"{empty_crm.api}tables/produits/{created['id']}/"
    headers = {**empty_crm.headers(), "Content-Type": "application/json"}
    for method in ("PATCH", "PUT"):
        body = ('{"description": ' + SURROGATE + "}").encode()
        response = http.request(method, url, content=body, headers=headers)
        assert_error(response, 400, "RUNTIME_003", "description")
    assert http.get(url, headers=empty_crm.headers()).json() == created


def test_a_lone_surrogate_in_a_key_is_refused(http: httpx.Client, empty_crm: RunningApp) -> None:
    body = json.dumps(PRODUIT)[:-1] + ', "x\\udc00": 1}'
    assert_error(post_raw(http, empty_crm, "produits", body.encode()), 400, "RUNTIME_003")
    assert count(empty_crm, "produits") == 0
    response = filtered(http, empty_crm, '{"x\\udc00": 1}')
    # details names the key by its JSON escape, as the client sent it.
    assert_error(response, 400, "RUNTIME_003", "filters.x\udc00")
    assert b'"filters.x\\udc00"' in response.content


def test_a_lone_surrogate_in_a_filter_is_runtime_003(
    http: httpx.Client, empty_crm: RunningApp
) -> None:
    for filters, field in (
        ('{"nom": ' + SURROGATE + "}", "filters.nom"),
        ('{"nom__in": ["ok", ' + SURROGATE + "]}", "filters.nom__in"),
        ('{"nom__icontains": "\\udfff"}', "filters.nom__icontains"),
    ):
        response = filtered(http, empty_crm, filters)
        assert_error(response, 400, "RUNTIME_003", field)


# Deep nesting and long numbers.


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 1000 + b"]" * 1000,
        b'{"nom": ' + b"[" * 5000 + b"]" * 5000 + b"}",
        b'{"reference": "REF-1", "nom": "n", "prix": 1, "stock": ' + b"7" * 5000 + b"}",
        b'{"reference": "REF-1", "nom": "\xff\xfe"}',
    ],
    ids=["nested-1000", "nested-5000-in-a-field", "5000-digit-number", "not-utf-8"],
)
def test_unreadable_bodies_are_runtime_003(
    http: httpx.Client, empty_crm: RunningApp, body: bytes
) -> None:
    assert_error(post_raw(http, empty_crm, "produits", body), 400, "RUNTIME_003", "body")
    assert count(empty_crm, "produits") == 0


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        ("[" * 1900 + "]" * 1900, "filters"),
        ('{"stock__in": ' + "[" * 1900 + "]" * 1900 + "}", "filters"),
        ('{"stock__in": ' + "[" * 40 + "]" * 40 + "}", "filters.stock__in"),
        ('{"stock": ' + "7" * 5000 + "}", "filters"),
    ],
    ids=["nested-1900", "nested-1900-in-a-value", "nested-40-in-a-value", "5000-digits"],
)
def test_deep_or_long_filters_are_runtime_003(
    http: httpx.Client, empty_crm: RunningApp, filters: str, field: str
) -> None:
    response = filtered(http, empty_crm, filters)
    assert_error(response, 400, "RUNTIME_003", field)


# Filter values are strict: JSON types are not converted into one another.


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        ({"actif": "yes"}, "filters.actif"),
        ({"actif": 1}, "filters.actif"),
        ({"stock": "3"}, "filters.stock"),
        ({"stock": True}, "filters.stock"),
        ({"stock": 3.5}, "filters.stock"),
        ({"stock__in": [1, "2"]}, "filters.stock__in"),
        ({"prix__gte": True}, "filters.prix__gte"),
        ({"nom": 3}, "filters.nom"),
        ({"created_at__gte": 946684800}, "filters.created_at__gte"),
        ({"id": "1"}, "filters.id"),
    ],
)
def test_filter_values_are_strict(
    http: httpx.Client,
    catalogue: RunningApp,
    filters: dict[str, Any],
    field: str,
) -> None:
    response = filtered(http, catalogue, json.dumps(filters))
    assert_error(response, 400, "RUNTIME_003", field)


def test_filter_values_of_the_field_type_are_accepted(
    http: httpx.Client,
    catalogue: RunningApp,
) -> None:
    assert listing(http, catalogue, filters={"actif": True})["count"] == 12
    assert listing(http, catalogue, filters={"stock": 3})["count"] == 1
    # A decimal as a JSON number or as a string; a datetime as an ISO date or datetime.
    assert listing(http, catalogue, filters={"prix__gte": 100.5})["count"] == 16
    assert listing(http, catalogue, filters={"prix__gte": "100.50"})["count"] == 16
    assert listing(http, catalogue, filters={"created_at__gte": "2000-01-01"})["count"] == 25
    in_both = {"created_at__in": ["2000-01-01", "2000-01-01T00:00:00Z"]}
    assert listing(http, catalogue, filters=in_both)["count"] == 0


# A page past the end links back to the last page that has records.


@pytest.mark.parametrize("mode", ["exact", "planned", "none"])
def test_previous_of_a_page_past_the_end_is_the_last_page(
    http: httpx.Client,
    catalogue: RunningApp,
    mode: str,
) -> None:
    body = listing(http, catalogue, page=99, page_size=5, count=mode)
    assert body["results"] == [] and body["next"] is None
    previous = httpx.URL(body["previous"])
    assert previous.params["page"] == "5" and previous.params["count"] == mode
    last = http.get(previous, headers=catalogue.headers()).json()
    assert len(last["results"]) == 5 and last["next"] is None
    inside = listing(http, catalogue, page=3, page_size=5, count=mode)
    assert httpx.URL(inside["previous"]).params["page"] == "2"
    filtered = listing(http, catalogue, page=4, page_size=5, count=mode, filters={"stock": 3})
    assert httpx.URL(filtered["previous"]).params["page"] == "1"


# Deleting a record others still refer to.

REFERENCES_SPEC: dict[str, Any] = {
    "spec_version": 1,
    "project": {
        "id": "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a",
        "name": "Bibliotheque",
        "slug": "bibliotheque",
    },
    "tables": {
        "auteurs": {
            "display_name": "Auteurs",
            "fields": {"nom": {"display_name": "Nom", "field_type": "TEXT_SHORT"}},
        },
        "livres": {
            "display_name": "Livres",
            "fields": {
                "titre": {"display_name": "Titre", "field_type": "TEXT_SHORT"},
                # on_delete left out: RESTRICT, the default.
                "auteur_id": {
                    "display_name": "Auteur",
                    "field_type": "RELATION",
                    "relation": {"table": "auteurs"},
                },
                "notes": {"display_name": "Notes", "field_type": "JSON"},
            },
        },
    },
}


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory, pg_server: str) -> Iterator[RunningApp]:
    folder = tmp_path_factory.mktemp("library")
    generate(write_spec(folder, REFERENCES_SPEC), folder / "bibliotheque")
    with serving(folder / "bibliotheque", fresh_database(pg_server)) as app:
        yield app


def create(http: httpx.Client, app: RunningApp, table: str, body: Any) -> httpx.Response:
    return http.post(f"{app.api}tables/{table}/", json=body, headers=app.headers())


def test_deleting_a_referenced_record_is_409_for_restrict_and_no_action(
    http: httpx.Client, library: RunningApp
) -> None:
    for on_delete in ("RESTRICT", "NO ACTION"):
        # NO ACTION is what a hand-written migration may choose; specs say RESTRICT.
        with psycopg.connect(library.database_url, autocommit=True) as connection:
            connection.execute(
                "ALTER TABLE livres DROP CONSTRAINT livres__auteur_id_fkey, "
                "ADD CONSTRAINT livres__auteur_id_fkey FOREIGN KEY (auteur_id) "
                f"REFERENCES auteurs (id) ON DELETE {on_delete}"
            )
        auteur = create(http, library, "auteurs", {"nom": "Hugo"}).json()
        livre = create(
            http, library, "livres", {"titre": "Les Misérables", "auteur_id": auteur["id"]}
        )
        assert livre.status_code == 201, livre.text
        url = f"{library.api}tables/auteurs/{auteur['id']}/"
        refused = http.delete(url, headers=library.headers())
        assert_error(refused, 409, "REFERENCE_CONFLICT")
        assert refused.json()["details"] == {"record": "Records of livres refer to it."}
        assert http.get(url, headers=library.headers()).status_code == 200, on_delete


def test_json_values_are_bounded_in_depth_and_must_be_text(
    http: httpx.Client, library: RunningApp
) -> None:
    def nested(depth: int) -> Any:
        value: Any = "fond"
        for _ in range(depth):
            value = {"a": [value]}
        return value

    assert create(http, library, "livres", {"titre": "ok", "notes": nested(16)}).status_code == 201
    too_deep = create(http, library, "livres", {"titre": "deep", "notes": nested(17)})
    assert_error(too_deep, 400, "RUNTIME_003", "notes")
    body = b'{"titre": "x", "notes": {"a": ["\\ud800"]}}'
    assert_error(post_raw(http, library, "livres", body), 400, "RUNTIME_003", "notes")
    key = b'{"titre": "x", "notes": {"\\udbff": 1}}'
    assert_error(post_raw(http, library, "livres", key), 400, "RUNTIME_003", "notes")
