"""Schemas: the seed's `clients` and `produits` added through the API, stable ids made by
the server and kept by renames, every change checked by the generator's own rules with
their spec paths, all problems at once, nothing written on a refusal."""

from __future__ import annotations

import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.control_plane.conftest import Api, User, assert_error
from tests.control_plane.studio.conftest import Studio, seed_table


def _uuid(value: str) -> bool:
    return str(uuid.UUID(value)) == value


def _draft(api: Api, project: str) -> dict[str, Any]:
    (row,) = api.query("SELECT spec FROM studio_projects WHERE id = %s", uuid.UUID(project))
    return dict(row[0])


@pytest.fixture
def owner(api: Api) -> User:
    return api.new_user("designer")


@pytest.fixture
def project(api: Api, studio: Studio, owner: User) -> str:
    return studio.new_project(owner, api.new_organization(owner))


def test_the_seed_tables_added_through_the_api(
    api: Api, studio: Studio, owner: User, project: str
) -> None:
    clients = studio.add_table(owner, project, seed_table("clients"))
    produits = studio.add_table(owner, project, seed_table("produits"))
    assert clients["name"] == "clients" and clients["project"] == project
    assert _uuid(clients["id"]) and _uuid(produits["id"]) and clients["id"] != produits["id"]
    assert list(clients["fields"]) == ["nom", "email", "telephone", "adresse"]
    assert all(_uuid(field["id"]) for field in clients["fields"].values())
    assert all(_uuid(index["id"]) for index in clients["indexes"])
    assert clients["fields"]["nom"]["validation"]["pattern"] == "^[a-zA-Z\\s\\-']+$"
    draft = _draft(api, project)
    assert list(draft["tables"]) == ["clients", "produits"]
    assert list(draft["tables"]["produits"]["fields"]) == [
        "reference",
        "nom",
        "description",
        "prix",
        "stock",
        "actif",
    ]
    read = studio.http.get(f"/schemas/{clients['id']}/", headers=owner.headers)
    assert read.json() == clients
    listed = studio.http.get("/schemas/", headers=owner.headers, params={"project": project})
    assert [t["name"] for t in listed.json()["results"]] == ["clients", "produits"]
    fields = studio.http.get(f"/schemas/{clients['id']}/fields/", headers=owner.headers).json()
    assert [f["name"] for f in fields] == ["nom", "email", "telephone", "adresse"]
    project_read = studio.http.get(f"/projects/{project}/", headers=owner.headers).json()
    assert project_read["tables_count"] == 2
    actions = api.query(
        "SELECT action FROM audit_log WHERE object_id = ANY(%s) ORDER BY id",
        [clients["id"], produits["id"]],
    )
    assert actions == [("schema.create",), ("schema.create",)]


def test_post_schemas_is_add_table(api: Api, studio: Studio, owner: User, project: str) -> None:
    response = studio.http.post(
        "/schemas/", headers=owner.headers, json={"project": project, **seed_table("clients")}
    )
    assert response.status_code == 201, response.text
    assert list(_draft(api, project)["tables"]) == ["clients"]


def test_renames_keep_the_stable_ids(api: Api, studio: Studio, owner: User, project: str) -> None:
    clients = studio.add_table(owner, project, seed_table("clients"))
    email = clients["fields"]["email"]["id"]
    renamed = studio.http.patch(
        f"/schemas/{clients['id']}/fields/{email}/",
        headers=owner.headers,
        json={"name": "courriel", "display_name": "Courriel"},
    )
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["id"] == email and renamed.json()["name"] == "courriel"
    assert renamed.json()["field_type"] == "EMAIL"
    table = studio.http.get(f"/schemas/{clients['id']}/", headers=owner.headers).json()
    assert list(table["fields"]) == ["nom", "courriel", "telephone", "adresse"]
    assert table["indexes"][0]["fields"] == ["courriel"]  # the index follows its column
    moved = studio.http.patch(
        f"/schemas/{clients['id']}/", headers=owner.headers, json={"name": "customers"}
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["id"] == clients["id"] and moved.json()["fields"]["courriel"]["id"] == email


def test_a_table_rename_follows_into_relations(
    api: Api, studio: Studio, owner: User, project: str
) -> None:
    clients = studio.add_table(owner, project, seed_table("clients"))
    orders = {
        "name": "commandes",
        "display_name": "Commandes",
        "fields": {
            "client": {
                "display_name": "Client",
                "field_type": "RELATION",
                "relation": {"table": "clients"},
            }
        },
    }
    studio.add_table(owner, project, orders)
    moved = studio.http.patch(
        f"/schemas/{clients['id']}/", headers=owner.headers, json={"name": "customers"}
    )
    assert moved.status_code == 200, moved.text
    relation = _draft(api, project)["tables"]["commandes"]["fields"]["client"]["relation"]
    assert relation == {"table": "customers"}


def test_field_crud(api: Api, studio: Studio, owner: User, project: str) -> None:
    produits = studio.add_table(owner, project, seed_table("produits"))
    base = f"/schemas/{produits['id']}/fields/"
    made = studio.http.post(
        base,
        headers=owner.headers,
        json={"name": "poids", "display_name": "Poids", "field_type": "DECIMAL"},
    )
    assert made.status_code == 201, made.text
    field = made.json()
    assert _uuid(field["id"]) and field["table"] == produits["id"]
    put = studio.http.put(
        f"{base}{field['id']}/",
        headers=owner.headers,
        json={"name": "poids_kg", "display_name": "Poids (kg)", "field_type": "DECIMAL"},
    )
    assert put.status_code == 200, put.text
    assert put.json()["id"] == field["id"] and put.json()["name"] == "poids_kg"
    got = studio.http.get(f"{base}{field['id']}/", headers=owner.headers)
    assert got.json() == put.json()
    assert studio.http.delete(f"{base}{field['id']}/", headers=owner.headers).status_code == 204
    assert_error(studio.http.get(f"{base}{field['id']}/", headers=owner.headers), 404, "NOT_FOUND")
    assert "poids_kg" not in _draft(api, project)["tables"]["produits"]["fields"]
    deleted = studio.http.delete(f"/schemas/{produits['id']}/", headers=owner.headers)
    assert deleted.status_code == 204
    assert _draft(api, project)["tables"] == {}


def test_every_problem_at_once_by_its_spec_path(
    api: Api, studio: Studio, owner: User, project: str
) -> None:
    studio.add_table(owner, project, seed_table("clients"))
    before = _draft(api, project)
    table = seed_table("produits")
    table["fields"]["reference"]["validation"]["pattern"] = "(["
    table["fields"]["stock"]["validation"]["max_length"] = 3
    table["fields"]["prix"]["default_value"] = "cher"
    response = studio.http.post(
        f"/projects/{project}/add_table/", headers=owner.headers, json=table
    )
    details = assert_error(response, 400, "VALIDATION_ERROR")
    assert set(details) == {
        "tables.produits.fields.reference.validation.pattern",
        "tables.produits.fields.stock.validation.max_length",
        "tables.produits.fields.prix.default_value",
    }, details
    shape = dict(seed_table("clients"), name="autres")
    shape["fields"]["email"]["field_type"] = "MAIL"
    shape["fields"]["nom"]["validaton"] = {}
    response = studio.http.post(
        f"/projects/{project}/add_table/", headers=owner.headers, json=shape
    )
    details = assert_error(response, 400, "VALIDATION_ERROR")
    assert {"tables.autres.fields.email.field_type", "tables.autres.fields.nom.validaton"} <= set(
        details
    ), details
    assert _draft(api, project) == before


@pytest.mark.parametrize(
    "name",
    [
        "clients'); DROP TABLE studio_projects; --",
        "select",
        "ｃｌｉｅｎｔｓ",  # fullwidth letters
        "clients\u200b",  # a zero-width space
        "Clients",
        "pg_class",
        "schema_migrations",
        "a" * 31,
        "",
        "__proto__",
    ],
)
def test_hostile_table_names_are_refused_by_their_path(
    api: Api, studio: Studio, owner: User, project: str, name: str
) -> None:
    body = dict(seed_table("clients"), name=name)
    response = studio.http.post(f"/projects/{project}/add_table/", headers=owner.headers, json=body)
    details = assert_error(response, 400, "VALIDATION_ERROR")
    assert f"tables.{name}" in details, details
    assert _draft(api, project)["tables"] == {}


def test_hostile_field_names_and_values(
    api: Api, studio: Studio, owner: User, project: str
) -> None:
    clients = studio.add_table(owner, project, seed_table("clients"))
    base = f"/schemas/{clients['id']}/fields/"
    for name in ("id", "created_at", "from", "model_dump", "a__b", "nom"):
        response = studio.http.post(
            base,
            headers=owner.headers,
            json={"name": name, "display_name": "X", "field_type": "TEXT_SHORT"},
        )
        details = assert_error(response, 400, "VALIDATION_ERROR")
        assert any(path.startswith(f"tables.clients.fields.{name}") for path in details), details
    response = studio.http.post(
        base,
        headers=owner.headers,
        json={"name": "note", "display_name": "Two\nlines", "field_type": "TEXT_SHORT"},
    )
    assert "tables.clients.fields.note.display_name" in assert_error(
        response, 400, "VALIDATION_ERROR"
    )
    response = studio.http.post(
        base,
        headers=owner.headers,
        json={
            "name": "note",
            "display_name": "N",
            "field_type": "TEXT_SHORT",
            "description": "\x00",
        },
    )
    assert "tables.clients.fields.note.description" in assert_error(
        response, 400, "VALIDATION_ERROR"
    )


def test_ids_come_from_the_server_only(api: Api, studio: Studio, owner: User, project: str) -> None:
    body = seed_table("clients")
    body["id"] = "tbl-mine"
    body["fields"]["nom"]["id"] = "fld-mine"
    response = studio.http.post(f"/projects/{project}/add_table/", headers=owner.headers, json=body)
    details = assert_error(response, 400, "VALIDATION_ERROR")
    assert {"tables.clients.id", "tables.clients.fields.nom.id"} <= set(details), details
    clients = studio.add_table(owner, project, seed_table("clients"))
    stolen = {**seed_table("produits"), "id": clients["id"], "name": "produits"}
    response = studio.http.post(
        f"/projects/{project}/add_table/", headers=owner.headers, json=stolen
    )
    assert "tables.produits.id" in assert_error(response, 400, "VALIDATION_ERROR")


def test_seed_limits_come_from_the_generator(
    api: Api, studio: Studio, owner: User, project: str
) -> None:
    wide = {
        "name": "wide",
        "display_name": "Wide",
        "fields": {f"f{n}": {"display_name": f"F{n}", "field_type": "INTEGER"} for n in range(51)},
    }
    response = studio.http.post(f"/projects/{project}/add_table/", headers=owner.headers, json=wide)
    details = assert_error(response, 400, "VALIDATION_ERROR")
    assert "at most 50 fields" in details["tables.wide.fields"]
    spec = _draft(api, project)
    small = {"display_name": "T", "fields": {"f": {"display_name": "F", "field_type": "INTEGER"}}}
    spec["tables"] = {f"t{n}": {"id": str(uuid.uuid4()), **small} for n in range(100)}
    api.query(
        "UPDATE studio_projects SET spec = %s::json WHERE id = %s",
        json.dumps(spec),
        uuid.UUID(project),
    )
    response = studio.http.post(
        f"/projects/{project}/add_table/", headers=owner.headers, json={"name": "t100", **small}
    )
    assert "at most 100 tables" in assert_error(response, 400, "VALIDATION_ERROR")["tables"]


def test_concurrent_changes_are_all_kept(
    api: Api, studio: Studio, owner: User, project: str
) -> None:
    """Each change rewrites the whole draft: the project's row lock keeps two at once from
    losing one."""

    def add(number: int) -> int:
        body = {
            "name": f"t{number}",
            "display_name": f"T{number}",
            "fields": {"f": {"display_name": "F", "field_type": "INTEGER"}},
        }
        url = f"/projects/{project}/add_table/"
        return studio.http.post(url, headers=owner.headers, json=body).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(add, range(16)))
    assert statuses == [201] * 16
    assert sorted(_draft(api, project)["tables"]) == sorted(f"t{n}" for n in range(16))
