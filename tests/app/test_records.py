"""The generated CRM app's records API (seed 000 CRUD), over real HTTP and PostgreSQL."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import RunningApp

CLIENT = {"nom": "Jean Dupont", "email": "jean.dupont@entreprise.com", "telephone": "+33612345678"}
PRODUIT = {"reference": "REF-1", "nom": "Clavier", "prix": 49.90, "stock": 12}


def post(
    http: httpx.Client, app: RunningApp, table: str, body: Any, role: str = "OWNER"
) -> httpx.Response:
    return http.post(f"{app.api}tables/{table}/", json=body, headers=app.headers(role))


def test_create_returns_the_record_with_id_and_timestamps(
    http: httpx.Client, empty_crm: RunningApp
) -> None:
    response = post(http, empty_crm, "clients", CLIENT)
    assert response.status_code == 201
    record = response.json()
    assert record["id"] == 1
    assert {key: record[key] for key in CLIENT} == CLIENT
    assert record["adresse"] is None
    assert record["created_at"] == record["updated_at"]
    assert record["created_at"].endswith("+00:00")


def test_get_returns_what_create_returned(http: httpx.Client, empty_crm: RunningApp) -> None:
    created = post(http, empty_crm, "clients", CLIENT).json()
    response = http.get(
        f"{empty_crm.api}tables/clients/{created['id']}/", headers=empty_crm.headers()
    )
    assert response.status_code == 200
    assert response.json() == created


def test_missing_record_is_404_in_the_envelope(http: httpx.Client, empty_crm: RunningApp) -> None:
    for method in ("GET", "PUT", "PATCH", "DELETE"):
        kwargs: dict[str, Any] = {"json": {}} if method in ("PUT", "PATCH") else {}
        response = http.request(
            method, f"{empty_crm.api}tables/clients/42/", headers=empty_crm.headers(), **kwargs
        )
        assert response.status_code == 404, method
        assert response.json()["code"] == "NOT_FOUND"


def test_put_updates_the_given_fields_and_returns_the_whole_record(
    http: httpx.Client, empty_crm: RunningApp
) -> None:
    created = post(http, empty_crm, "clients", CLIENT).json()
    url = f"{empty_crm.api}tables/clients/{created['id']}/"
    # The seed's PUT example leaves email out and keeps it.
    change = {"nom": "Jean Dupont-Updated", "telephone": "+33612345679", "adresse": "Paris"}
    response = http.put(url, json=change, headers=empty_crm.headers())
    assert response.status_code == 200
    updated = response.json()
    assert updated == {**created, **change, "updated_at": updated["updated_at"]}
    assert updated["updated_at"] > created["updated_at"]


def test_patch_returns_the_changed_fields(http: httpx.Client, empty_crm: RunningApp) -> None:
    created = post(http, empty_crm, "clients", CLIENT).json()
    url = f"{empty_crm.api}tables/clients/{created['id']}/"
    response = http.patch(url, json={"telephone": "+33612345679"}, headers=empty_crm.headers())
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"id", "telephone", "updated_at"}
    assert body["telephone"] == "+33612345679"
    assert http.get(url, headers=empty_crm.headers()).json()["telephone"] == "+33612345679"


def test_delete_is_204_then_the_record_is_gone(http: httpx.Client, empty_crm: RunningApp) -> None:
    created = post(http, empty_crm, "clients", CLIENT).json()
    url = f"{empty_crm.api}tables/clients/{created['id']}/"
    response = http.delete(url, headers=empty_crm.headers())
    assert response.status_code == 204
    assert response.content == b""
    assert http.get(url, headers=empty_crm.headers()).status_code == 404


def test_defaults_apply_only_to_omitted_fields(http: httpx.Client, empty_crm: RunningApp) -> None:
    assert post(http, empty_crm, "produits", PRODUIT).json()["actif"] is True
    explicit = post(http, empty_crm, "produits", {**PRODUIT, "reference": "REF-2", "actif": False})
    assert explicit.json()["actif"] is False


def test_read_only_fields_cannot_be_forced(http: httpx.Client, empty_crm: RunningApp) -> None:
    forced = {
        **CLIENT,
        "id": 999,
        "created_at": "2000-01-01T00:00:00Z",
        "updated_at": "2000-01-01T00:00:00Z",
    }
    record = post(http, empty_crm, "clients", forced).json()
    assert record["id"] == 1
    assert not record["created_at"].startswith("2000")
    url = f"{empty_crm.api}tables/clients/1/"
    http.patch(
        url, json={"id": 5, "created_at": "2000-01-01T00:00:00Z"}, headers=empty_crm.headers()
    )
    after = http.get(url, headers=empty_crm.headers()).json()
    assert after["id"] == 1 and after["created_at"] == record["created_at"]


def test_decimal_values_keep_their_exact_value(http: httpx.Client, empty_crm: RunningApp) -> None:
    record = post(http, empty_crm, "produits", {**PRODUIT, "prix": 12345678.99}).json()
    assert str(record["prix"]) == "12345678.99"


def test_relations_check_the_target_and_cascade(http: httpx.Client, empty_crm: RunningApp) -> None:
    order = {"numero": "CMD-0001", "client_id": 77, "date_commande": "2024-01-20"}
    missing_parent = post(http, empty_crm, "commandes", order)
    assert missing_parent.status_code == 400
    assert missing_parent.json()["code"] == "RUNTIME_003"
    assert "client_id" in missing_parent.json()["details"]
    client_id = post(http, empty_crm, "clients", CLIENT).json()["id"]
    created = post(http, empty_crm, "commandes", {**order, "client_id": client_id})
    assert created.status_code == 201
    assert created.json()["statut"] == "en_attente"
    http.delete(f"{empty_crm.api}tables/clients/{client_id}/", headers=empty_crm.headers())
    listed = http.get(f"{empty_crm.api}tables/commandes/", headers=empty_crm.headers()).json()
    assert listed["count"] == 0  # ON DELETE CASCADE, as the spec says
