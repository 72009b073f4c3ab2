"""Export and import: a whole project as one document; export, import into another
organisation, export again gives the same document but for the ids that must differ."""

from __future__ import annotations

import json
import uuid
from typing import Any

from tests.control_plane.conftest import Api, User, assert_error
from tests.control_plane.studio.conftest import Studio, seed_table


def _export(studio: Studio, by: User, project: str) -> dict[str, Any]:
    response = studio.http.get(f"/projects/{project}/export/", headers=by.headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def _ids_named(document: dict[str, Any]) -> str:
    """The document as text with each id it holds replaced by its position, to compare
    two exports whose ids differ."""
    text = json.dumps(document)
    for position, value in enumerate(_ids(document)):
        text = text.replace(value, f"<id{position}>")
    return text


def _ids(document: dict[str, Any]) -> list[str]:
    found = [document["spec"]["project"]["id"]]
    found += [table["id"] for table in document["spec"]["tables"].values()]
    for page in document["pages"]:
        found += [page["id"], *(component["id"] for component in page["components"])]
    return found


def _project(api: Api, studio: Studio, owner: User) -> str:
    project = studio.new_project(owner, api.new_organization(owner), "Gestion Client")
    clients = studio.add_table(owner, project, seed_table("clients"))
    studio.add_table(owner, project, seed_table("produits"))
    studio.publish(owner, project)
    page = studio.http.post(
        "/pages/",
        headers=owner.headers,
        json={"project": project, "name": "Clients", "route": "/clients"},
    ).json()
    for body in (
        {"type": "text", "options": {"content": "Liste des clients"}},
        {"type": "table", "table_id": clients["id"], "field_ids": [clients["fields"]["nom"]["id"]]},
    ):
        made = studio.http.post(
            "/components/", headers=owner.headers, json={"page": page["id"], **body}
        )
        assert made.status_code == 201, made.text
    email = clients["fields"]["email"]["id"]
    studio.http.patch(
        f"/schemas/{clients['id']}/fields/{email}/",
        headers=owner.headers,
        json={"name": "courriel"},
    )
    studio.publish(owner, project)
    return project


def test_export_import_export(api: Api, studio: Studio) -> None:
    owner = api.new_user("exporter")
    project = _project(api, studio, owner)
    first = _export(studio, owner, project)
    assert [v["number"] for v in first["versions"]] == ["1.0.0", "1.1.0"]
    assert list(first["spec"]["tables"]["clients"]["fields"]) == [
        "nom",
        "courriel",
        "telephone",
        "adresse",
    ]
    other = api.new_user("importer")
    organization = api.new_organization(other, "Elsewhere")
    imported = studio.http.post(
        "/projects/import/",
        headers=other.headers,
        json={"organization_id": organization, "document": first},
    )
    assert imported.status_code == 201, imported.text
    copy = imported.json()
    assert copy["id"] != project and copy["organization_id"] == organization
    assert copy["status"] == "published" and copy["latest_version"] == "1.1.0"
    second = _export(studio, other, copy["id"])
    assert set(_ids(first)).isdisjoint(_ids(second))
    assert _ids_named(second) == _ids_named(first)
    # The copy lives on its own: its tables answer at their new ids, a publish goes on.
    table_id = second["spec"]["tables"]["clients"]["id"]
    assert studio.http.get(f"/schemas/{table_id}/", headers=other.headers).status_code == 200
    assert_error(studio.http.get(f"/schemas/{table_id}/", headers=owner.headers), 404, "NOT_FOUND")
    studio.http.patch(f"/projects/{copy['id']}/", headers=other.headers, json={"name": "Copie"})
    assert studio.publish(other, copy["id"])["number"] == "1.1.1"


def test_a_bad_import_writes_nothing(api: Api, studio: Studio) -> None:
    owner = api.new_user("smuggler")
    document = _export(studio, owner, _project(api, studio, owner))
    organization = api.new_organization(owner, "Target")
    broken = json.loads(json.dumps(document))
    broken["spec"]["tables"]["clients"]["fields"]["nom"]["field_type"] = "NOPE"
    broken["versions"][0]["spec"]["project"]["version"] = "7.0.0"
    broken["pages"][0]["components"][1]["table_id"] = "missing"
    for bad, path in (
        (broken, "document.spec.tables.clients.fields.nom.field_type"),
        ({**document, "format": "other"}, "document.format"),
        ({**document, "versions": [document["versions"][0]] * 2}, "document.versions"),
    ):
        response = studio.http.post(
            "/projects/import/",
            headers=owner.headers,
            json={"organization_id": organization, "document": bad},
        )
        assert path in assert_error(response, 400, "VALIDATION_ERROR"), path
    fixed = json.loads(json.dumps(broken))
    fixed["spec"] = document["spec"]
    response = studio.http.post(
        "/projects/import/",
        headers=owner.headers,
        json={"organization_id": organization, "document": fixed},
    )
    details = assert_error(response, 400, "VALIDATION_ERROR")
    assert "document.pages[0].components[1].table_id" in details, details
    assert api.query(
        "SELECT count(*) FROM studio_projects WHERE organization_id = %s", uuid.UUID(organization)
    ) == [(0,)]
