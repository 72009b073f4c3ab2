"""The generated app's OpenAPI document says what the app does: schemathesis, every check,
against a real granian server of the CRM, and the points it rests on, one by one."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.app.test_errors import assert_error
from tests.app.test_records import PRODUIT, post
from tests.conftest import RunningApp, fresh_database, run_schemathesis, start_app

ENVELOPE = {"$ref": "#/components/schemas/ErrorEnvelope"}
API_PATH = "/api/v1/runtime/projects/550e8400-e29b-41d4-a716-446655440000"


@pytest.fixture
def own_crm(crm_dir: Path, pg_server: str) -> Iterator[RunningApp]:
    """A CRM server of its own: the fuzzer fills its database with junk."""
    app = start_app(crm_dir, fresh_database(pg_server))
    yield app
    app.process.terminate()
    app.process.wait(timeout=30)


def test_schemathesis_finds_no_failure(own_crm: RunningApp, crm_dir: Path, tmp_path: Path) -> None:
    result = run_schemathesis(
        f"{own_crm.base_url}/api/schema/",
        own_crm.headers()["Authorization"],
        tmp_path,
        "--checks",
        "all",
        "--max-examples",
        "10",
        "--seed",
        "7",
        config=crm_dir / "schemathesis.toml",
    )
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-2000:]
    assert re.search(r"\d+ passed", result.stdout), result.stdout[-2000:]


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_every_error_status_is_documented_with_the_envelope(
    http: httpx.Client, crm: RunningApp
) -> None:
    document = http.get(f"{crm.base_url}/api/schema/").json()
    records = "/tables/produits/{record_id}/"
    expected = {
        ("/tables/produits/", "get"): {"400", "401", "403", "503"},
        ("/tables/produits/", "post"): {"400", "401", "403", "409", "413", "503"},
        (records, "get"): {"400", "401", "403", "404", "503"},
        (records, "put"): {"400", "401", "403", "404", "409", "413", "503"},
        (records, "patch"): {"400", "401", "403", "404", "409", "413", "503"},
        (records, "delete"): {"400", "401", "403", "404", "409", "503"},
        ("/schema/", "get"): {"401", "503"},
        ("/tables/{table_name}/schema/", "get"): {"401", "403", "404"},
    }
    for path, method, operation in _operations(document):
        responses = operation["responses"]
        assert "422" not in responses, (path, method)
        errors = {status for status in responses if status >= "400"}
        for status in errors:
            schema = responses[status]["content"]["application/json"]["schema"]
            assert schema == ENVELOPE, (path, method, status)
        relative = path.removeprefix(API_PATH)
        if (relative, method) in expected:
            assert errors == expected.pop((relative, method)), (path, method)
    assert not expected, expected
    envelope = document["components"]["schemas"]["ErrorEnvelope"]
    assert envelope["required"] == ["error", "details", "code"]
    assert "HTTPValidationError" not in document["components"]["schemas"]
    retry_after = document["paths"]["/health"]["get"]["responses"]["503"]["headers"]
    assert retry_after["Retry-After"]["schema"] == {"type": "integer"}


def test_types_match_the_bytes_sent(http: httpx.Client, crm: RunningApp) -> None:
    schemas = http.get(f"{crm.base_url}/api/schema/").json()["components"]["schemas"]
    price = {
        "type": "number",
        "exclusiveMinimum": -100000000,
        "exclusiveMaximum": 100000000,
        "minimum": 0,
        "multipleOf": 0.01,
    }
    for model in ("ProduitsCreate", "ProduitsPublic"):
        assert {**schemas[model]["properties"]["prix"], "title": None} == {
            **price,
            "title": None,
        }
    # A required field may be left out of an update, not set to null.
    update = schemas["ProduitsUpdate"]["properties"]
    assert update["nom"]["type"] == "string" and "anyOf" not in update["nom"]
    assert {"type": "null"} in update["description"]["anyOf"]
    assert schemas["ClientsCreate"]["properties"]["email"]["format"] == "email"


def test_listing_parameters_describe_the_filter_grammar(
    http: httpx.Client, crm: RunningApp
) -> None:
    document = http.get(f"{crm.base_url}/api/schema/").json()
    listing = next(
        operation
        for path, method, operation in _operations(document)
        if path.endswith("/tables/produits/") and method == "get"
    )
    parameters = {parameter["name"]: parameter for parameter in listing["parameters"]}
    assert "prix" in parameters["sort_by"]["schema"]["enum"]
    assert "__icontains" in parameters["filters"]["description"]
    conditions = parameters["filters"]["content"]["application/json"]["schema"]
    assert conditions["additionalProperties"] is False
    properties = conditions["properties"]
    assert properties["stock__gte"] == {"type": "integer"}
    assert properties["prix__in"] == {"type": "array", "items": {"type": "number"}, "minItems": 1}
    assert properties["nom__icontains"] == {"type": "string"}
    assert properties["actif__isnull"] == {"type": "boolean"}
    assert "actif__gt" not in properties and "stock__contains" not in properties


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"stock": "3"}, "stock"),
        ({"stock": True}, "stock"),
        ({"stock": 3.5}, "stock"),
        ({"actif": "yes"}, "actif"),
        ({"actif": 1}, "actif"),
        ({"prix": "49.90"}, "prix"),
        ({"prix": False}, "prix"),
        ({"nom": 42}, "nom"),
    ],
)
def test_bodies_are_not_coerced(
    http: httpx.Client, empty_crm: RunningApp, change: dict[str, Any], field: str
) -> None:
    assert_error(
        post(http, empty_crm, "produits", {**PRODUIT, **change}), 400, "RUNTIME_003", field
    )


def test_json_numbers_and_iso_strings_are_accepted(
    http: httpx.Client, empty_crm: RunningApp
) -> None:
    produit = post(http, empty_crm, "produits", {**PRODUIT, "stock": 3.0, "prix": 10}).json()
    assert (produit["stock"], produit["prix"]) == (3, 10)
    client = post(http, empty_crm, "clients", {"nom": "Ana", "email": "ana@example.com"}).json()
    commande = {"numero": "CMD-0001", "client_id": client["id"], "date_commande": 20240120}
    assert_error(post(http, empty_crm, "commandes", commande), 400, "RUNTIME_003", "date_commande")
    created = post(http, empty_crm, "commandes", {**commande, "date_commande": "2024-01-20"})
    assert created.status_code == 201, created.text


def test_schema_endpoints_report_bounds_as_numbers(http: httpx.Client, crm: RunningApp) -> None:
    table = http.get(f"{crm.api}schema/produits/", headers=crm.headers()).json()
    validation = {field["name"]: field["validation"] for field in table["fields"]}
    assert validation["stock"]["min_value"] == 0 and validation["prix"]["min_value"] == 0
    form = http.get(f"{crm.api}tables/produits/schema/", headers=crm.headers()).json()
    assert form["validation_rules"]["prix"]["min_value"] == 0


def test_method_not_allowed_says_what_is(http: httpx.Client, crm: RunningApp) -> None:
    cases = [
        ("TRACE", f"{crm.base_url}/health", "GET, HEAD"),
        ("OPTIONS", f"{crm.api}tables/produits/", "GET, HEAD, POST"),
        ("PUT", f"{crm.api}tables/produits/", "GET, HEAD, POST"),
        ("POST", f"{crm.api}tables/produits/1/", "DELETE, GET, HEAD, PATCH, PUT"),
    ]
    for method, url, allowed in cases:
        response = http.request(method, url, headers=crm.headers())
        assert_error(response, 405, "METHOD_NOT_ALLOWED")
        assert response.headers["Allow"] == allowed, (method, url)


def test_docs_pages_load_only_local_assets(http: httpx.Client, crm: RunningApp) -> None:
    for page in ("/api/docs/", "/api/redoc/"):
        html = http.get(f"{crm.base_url}{page}").text
        assets = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
        assets += re.findall(r"""url:\s*'([^']+)'""", html)
        assert assets, html
        for asset in assets:
            assert asset.startswith("/api/"), (page, asset)
            response = http.get(f"{crm.base_url}{asset}")
            assert response.status_code == 200, asset
            assert len(response.content) > 1000 or asset.endswith("/api/schema/"), asset
        assert "http://" not in html and "https://" not in html, html
