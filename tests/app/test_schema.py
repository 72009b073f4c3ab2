"""Schema and form metadata endpoints, health, metrics and OpenAPI of the generated app."""

from __future__ import annotations

import httpx

from tests.conftest import RunningApp


def test_project_schema(http: httpx.Client, empty_crm: RunningApp) -> None:
    body = http.get(f"{empty_crm.api}schema/", headers=empty_crm.headers()).json()
    assert body["project"]["id"] == "550e8400-e29b-41d4-a716-446655440000"
    assert body["project"]["name"] == "Gestion Client"
    assert list(body["tables"]) == ["clients", "produits", "commandes"]
    clients = body["tables"]["clients"]
    assert clients["icon"] == "👥" and clients["records_count"] == 0
    assert (
        clients["api_endpoint"] == "/projects/550e8400-e29b-41d4-a716-446655440000/tables/clients/"
    )
    assert [field["name"] for field in clients["fields"]] == [
        "id",
        "nom",
        "email",
        "telephone",
        "adresse",
        "created_at",
        "updated_at",
    ]
    # A CLIENT sees the public tables only.
    visible = http.get(f"{empty_crm.api}schema/", headers=empty_crm.headers("CLIENT")).json()
    assert list(visible["tables"]) == ["produits"]


def test_table_schema_reports_permissions_indexes_and_relations(
    http: httpx.Client, empty_crm: RunningApp
) -> None:
    member = http.get(f"{empty_crm.api}schema/clients/", headers=empty_crm.headers("MEMBER")).json()
    assert member["permissions"] == {
        "can_create": True,
        "can_read": True,
        "can_update": True,
        "can_delete": False,
    }
    nom = next(field for field in member["fields"] if field["name"] == "nom")
    assert nom["validation"] == {
        "min_length": 2,
        "max_length": 100,
        "pattern": "^[a-zA-Z\\s\\-']+$",
    }
    assert nom["form_field"]["placeholder"] == "Entrez le nom complet"
    assert {"name": "idx_clients_email", "fields": ["email"], "type": "unique"} in member["indexes"]
    assert member["relationships"][0] | {"on_delete": None} == {
        "type": "has_many",
        "target_table": "commandes",
        "foreign_key": "client_id",
        "target_display_name": "Commandes",
        "on_delete": None,
    }


def test_form_schema_and_fields(http: httpx.Client, empty_crm: RunningApp) -> None:
    form = http.get(f"{empty_crm.api}tables/clients/schema/", headers=empty_crm.headers()).json()
    assert form["form_config"]["submit_button"] == {"label": "Enregistrer", "style": "primary"}
    assert form["validation_rules"]["email"] == {
        "required": True,
        "format": "email",
        "unique": True,
    }
    assert [field["name"] for field in form["fields"]] == ["nom", "email", "telephone", "adresse"]
    assert form["fields"][2]["form_field"] == {
        "type": "tel",
        "placeholder": "+33612345678",
        "help_text": "Numéro de téléphone avec indicatif pays",
        "autocomplete": "tel",
    }
    fields = http.get(f"{empty_crm.api}tables/clients/fields/", headers=empty_crm.headers()).json()
    assert fields["fields"][1]["list_config"] == {
        "width": 200,
        "sortable": True,
        "filterable": True,
    }


def test_health_metrics_and_docs(http: httpx.Client, empty_crm: RunningApp) -> None:
    assert http.get(f"{empty_crm.base_url}/health").json() == {"status": "ok", "database": "ok"}
    metrics = http.get(f"{empty_crm.base_url}/metrics").text
    assert "app_http_requests_total" in metrics
    assert http.get(f"{empty_crm.base_url}/api/docs/").status_code == 200
    schema = http.get(f"{empty_crm.base_url}/api/schema/").json()
    components = schema["components"]["schemas"]
    assert {
        "ClientsCreate",
        "ClientsUpdate",
        "ClientsPublic",
        "ClientsPage",
        "ProduitsCreate",
    } <= set(components)
    assert components["ClientsCreate"]["properties"]["nom"]["maxLength"] == 100
    assert components["ClientsCreate"]["required"] == ["nom", "email"]
    list_path = schema["paths"][
        "/api/v1/runtime/projects/550e8400-e29b-41d4-a716-446655440000/tables/clients/"
    ]
    assert {"get", "post"} <= set(list_path)
