"""Errors of the generated app: the seed envelope and codes, and nothing half-written."""

from __future__ import annotations

import concurrent.futures
from typing import Any

import httpx
import pytest

from tests.app.test_records import CLIENT, PRODUIT, post
from tests.conftest import RunningApp

ENVELOPE = {"error", "details", "code"}


def assert_error(
    response: httpx.Response, status: int, code: str, field: str | None = None
) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == ENVELOPE
    assert body["code"] == code
    if field is not None:
        assert field in body["details"], body
    for leak in ("Traceback", "SELECT ", "INSERT ", "psycopg", 'File "'):
        assert leak not in response.text


def test_unknown_table_is_runtime_001(http: httpx.Client, empty_crm: RunningApp) -> None:
    headers = empty_crm.headers()
    for url in ("tables/nope/", "tables/nope/1/", "schema/nope/", "tables/nope/schema/"):
        assert_error(http.get(f"{empty_crm.api}{url}", headers=headers), 404, "RUNTIME_001")
    assert_error(post(http, empty_crm, "nope", {}), 404, "RUNTIME_001")


def test_missing_required_field_is_runtime_002(http: httpx.Client, empty_crm: RunningApp) -> None:
    body = {key: value for key, value in CLIENT.items() if key != "email"}
    assert_error(post(http, empty_crm, "clients", body), 400, "RUNTIME_002", "email")


def test_null_on_a_required_field_is_runtime_002(http: httpx.Client, empty_crm: RunningApp) -> None:
    record = post(http, empty_crm, "clients", CLIENT).json()
    url = f"{empty_crm.api}tables/clients/{record['id']}/"
    response = http.patch(url, json={"nom": None}, headers=empty_crm.headers())
    assert_error(response, 400, "RUNTIME_002", "nom")


@pytest.mark.parametrize(
    ("table", "change", "field"),
    [
        ("clients", {"email": "not-an-email"}, "email"),
        ("clients", {"telephone": "06-12"}, "telephone"),  # the seed's pattern
        ("clients", {"nom": "J"}, "nom"),  # min_length 2
        ("clients", {"nom": "é" * 101}, "nom"),  # max_length counts characters
        ("clients", {"nom": 42}, "nom"),
        ("clients", {"surnom": "x"}, "surnom"),  # unknown field
        ("produits", {"prix": -1}, "prix"),  # min_value 0
        ("produits", {"prix": 1.234}, "prix"),  # decimal_places 2
        ("produits", {"prix": 123456789.0}, "prix"),  # max_digits 10
        ("produits", {"prix": "NaN"}, "prix"),
        ("produits", {"stock": "abc"}, "stock"),
        ("produits", {"stock": 2**63}, "stock"),
        ("produits", {"actif": "maybe"}, "actif"),
        ("commandes", {"statut": "perdue"}, "statut"),  # not a choice
        ("commandes", {"date_commande": "2024-02-30"}, "date_commande"),
    ],
)
def test_bad_values_are_runtime_003(
    http: httpx.Client, empty_crm: RunningApp, table: str, change: dict[str, Any], field: str
) -> None:
    valid = {
        "clients": CLIENT,
        "produits": PRODUIT,
        "commandes": {"numero": "CMD-0001", "client_id": 1, "date_commande": "2024-01-20"},
    }[table]
    assert_error(post(http, empty_crm, table, {**valid, **change}), 400, "RUNTIME_003", field)


def test_long_unicode_within_the_limit_is_accepted(
    http: httpx.Client, empty_crm: RunningApp
) -> None:
    response = post(http, empty_crm, "produits", {**PRODUIT, "nom": "é" * 200})
    assert response.status_code == 201
    assert response.json()["nom"] == "é" * 200


def test_duplicate_is_runtime_004_and_writes_nothing(
    http: httpx.Client, empty_crm: RunningApp
) -> None:
    first = post(http, empty_crm, "clients", CLIENT).json()
    second = post(http, empty_crm, "clients", {**CLIENT, "email": "autre@entreprise.com"}).json()
    assert_error(post(http, empty_crm, "clients", CLIENT), 409, "RUNTIME_004", "email")
    # A failed update changes nothing either.
    url = f"{empty_crm.api}tables/clients/{second['id']}/"
    response = http.put(
        url, json={"nom": "Changed", "email": CLIENT["email"]}, headers=empty_crm.headers()
    )
    assert_error(response, 409, "RUNTIME_004", "email")
    assert http.get(url, headers=empty_crm.headers()).json() == second
    listed = http.get(f"{empty_crm.api}tables/clients/", headers=empty_crm.headers()).json()
    assert listed["count"] == 2
    assert first in listed["results"]


def test_emails_are_unique_regardless_of_case_and_keep_their_case(
    http: httpx.Client, empty_crm: RunningApp
) -> None:
    first = post(http, empty_crm, "clients", {**CLIENT, "email": "Jean.Dupont@Entreprise.com"})
    assert first.status_code == 201, first.text
    assert first.json()["email"] == "Jean.Dupont@Entreprise.com"
    assert_error(post(http, empty_crm, "clients", CLIENT), 409, "RUNTIME_004", "email")
    other = post(http, empty_crm, "clients", {**CLIENT, "email": "autre@entreprise.com"}).json()
    url = f"{empty_crm.api}tables/clients/{other['id']}/"
    upper = {"email": CLIENT["email"].upper()}
    assert_error(
        http.patch(url, json=upper, headers=empty_crm.headers()), 409, "RUNTIME_004", "email"
    )
    assert http.get(url, headers=empty_crm.headers()).json() == other


def test_concurrent_duplicates_leave_exactly_one_record(empty_crm: RunningApp) -> None:
    def create() -> int:
        with httpx.Client(timeout=30) as client:
            return post(client, empty_crm, "produits", PRODUIT).status_code

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        statuses = sorted(pool.map(lambda _: create(), range(16)))
    assert statuses == [201] + [409] * 15


def test_permissions_follow_the_spec_and_the_seed_matrix(
    http: httpx.Client, empty_crm: RunningApp
) -> None:
    record = post(http, empty_crm, "clients", CLIENT).json()
    url = f"{empty_crm.api}tables/clients/{record['id']}/"
    # The spec narrows MEMBER on clients to create/read/update.
    assert_error(http.delete(url, headers=empty_crm.headers("MEMBER")), 403, "RUNTIME_005")
    assert http.delete(url, headers=empty_crm.headers("ADMIN")).status_code == 204
    # CLIENT reads public tables only, and writes nothing.
    assert (
        http.get(
            f"{empty_crm.api}tables/produits/", headers=empty_crm.headers("CLIENT")
        ).status_code
        == 200
    )
    assert_error(
        http.get(f"{empty_crm.api}tables/clients/", headers=empty_crm.headers("CLIENT")),
        403,
        "RUNTIME_005",
    )
    assert_error(post(http, empty_crm, "produits", PRODUIT, role="CLIENT"), 403, "RUNTIME_005")


def test_authentication_is_required(http: httpx.Client, empty_crm: RunningApp) -> None:
    url = f"{empty_crm.api}tables/clients/"
    missing = http.get(url)
    assert_error(missing, 401, "NOT_AUTHENTICATED")
    assert missing.headers["www-authenticate"] == "Bearer"
    assert_error(http.get(url, headers={"Authorization": "Bearer nope"}), 401, "NOT_AUTHENTICATED")
    import jwt

    expired = jwt.encode({"role": "OWNER", "exp": 1}, "a-test-secret-that-is-long-enough-for-hs256")
    assert_error(
        http.get(url, headers={"Authorization": f"Bearer {expired}"}), 401, "NOT_AUTHENTICATED"
    )
    other_key = jwt.encode(
        {"role": "OWNER", "exp": 4102444800}, "another-secret-that-is-long-enough-too!!"
    )
    assert_error(
        http.get(url, headers={"Authorization": f"Bearer {other_key}"}), 401, "NOT_AUTHENTICATED"
    )
    bad_role = jwt.encode(
        {"role": "ROOT", "exp": 4102444800}, "a-test-secret-that-is-long-enough-for-hs256"
    )
    assert_error(
        http.get(url, headers={"Authorization": f"Bearer {bad_role}"}), 401, "NOT_AUTHENTICATED"
    )


def test_protocol_errors_use_the_envelope(http: httpx.Client, empty_crm: RunningApp) -> None:
    headers = empty_crm.headers()
    assert_error(http.get(f"{empty_crm.base_url}/nowhere", headers=headers), 404, "NOT_FOUND")
    assert_error(
        http.put(f"{empty_crm.api}tables/clients/", json={}, headers=headers),
        405,
        "METHOD_NOT_ALLOWED",
    )
    bad_json = http.post(
        f"{empty_crm.api}tables/clients/",
        content=b"{not json",
        headers={**headers, "Content-Type": "application/json"},
    )
    assert_error(bad_json, 400, "RUNTIME_003", "body")
    assert_error(
        http.post(f"{empty_crm.api}tables/clients/", json=[1, 2], headers=headers),
        400,
        "RUNTIME_003",
    )
    assert_error(
        http.get(f"{empty_crm.api}tables/clients/abc/", headers=headers),
        400,
        "RUNTIME_003",
        "record_id",
    )
