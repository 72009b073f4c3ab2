"""`/projects/`: create, list (filters, pages), get, update, delete; the draft spec a
project starts with; the plan's number of projects."""

from __future__ import annotations

import uuid

from tests.control_plane.conftest import Api, assert_error
from tests.control_plane.studio.conftest import Studio


def test_a_new_project_is_a_draft_with_an_empty_spec(api: Api, studio: Studio) -> None:
    owner = api.new_user("creator")
    organization = api.new_organization(owner)
    response = studio.http.post(
        "/projects/",
        headers=owner.headers,
        json={
            "name": "Gestion Clients & Co",
            "organization_id": organization,
            "description": "Le CRM.\nSur deux lignes.",
        },
    )
    assert response.status_code == 201, response.text
    project = response.json()
    assert project["status"] == "draft"
    assert project["slug"] == "gestion_clients_co"
    assert project["latest_version"] is None and project["tables_count"] == 0
    (spec,) = api.query("SELECT spec FROM studio_projects WHERE id = %s", uuid.UUID(project["id"]))
    assert spec[0] == {
        "spec_version": 1,
        "project": {
            "id": project["id"],
            "name": "Gestion Clients & Co",
            "slug": "gestion_clients_co",
            "description": "Le CRM.\nSur deux lignes.",
        },
        "tables": {},
    }
    audited = api.query("SELECT action FROM audit_log WHERE object_id = %s", project["id"])
    assert audited == [("project.create",)]


def test_slugs_are_valid_names_whatever_the_project_is_called(api: Api, studio: Studio) -> None:
    owner = api.new_user("slugs")
    organization = api.new_organization(owner)
    api.query(
        "UPDATE subscriptions SET plan_code = 'enterprise' WHERE organization_id = %s",
        uuid.UUID(organization),
    )
    expected = {
        "Élève Ça Marche": "eleve_ca_marche",
        "select": "project_select",
        "2024 ventes": "project_2024_ventes",
        "'; DROP TABLE studio_projects; --": "drop_table_studio_projects",
        "日本語": "project",
        "pg_catalog": "project_pg_catalog",
    }
    for name, slug in expected.items():
        response = studio.http.post(
            "/projects/",
            headers=owner.headers,
            json={"name": name, "organization_id": organization},
        )
        assert response.status_code == 201, response.text
        assert response.json()["slug"] == slug, name


def test_list_filters_and_pages(api: Api, studio: Studio) -> None:
    owner = api.new_user("lister")
    first = api.new_organization(owner, "First")
    second = api.new_organization(owner, "Second")
    made = [studio.new_project(owner, first, f"P{n}") for n in range(3)]
    other = studio.new_project(owner, second, "Other")
    listed = studio.http.get("/projects/", headers=owner.headers, params={"page_size": 2})
    assert listed.status_code == 200, listed.text
    page = listed.json()
    assert page["count"] == 4 and len(page["results"]) == 2 and page["next"]
    in_first = studio.http.get(
        "/projects/", headers=owner.headers, params={"organization": first}
    ).json()
    assert [p["id"] for p in in_first["results"]] == made[::-1]
    drafts = studio.http.get(
        "/projects/", headers=owner.headers, params={"status": "published"}
    ).json()
    assert drafts["count"] == 0
    assert other not in [p["id"] for p in in_first["results"]]
    bad = studio.http.get("/projects/", headers=owner.headers, params={"status": "gone"})
    assert "status" in assert_error(bad, 400, "VALIDATION_ERROR")


def test_update_and_delete(api: Api, studio: Studio) -> None:
    owner = api.new_user("editor")
    organization = api.new_organization(owner)
    project = studio.new_project(owner, organization, "Before")
    patched = studio.http.patch(
        f"/projects/{project}/", headers=owner.headers, json={"description": "Now described"}
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["name"] == "Before" and patched.json()["description"] == "Now described"
    put = studio.http.put(f"/projects/{project}/", headers=owner.headers, json={"name": "After"})
    assert put.json()["name"] == "After" and put.json()["description"] == ""
    assert put.json()["slug"] == "before"  # the package name does not move with the title
    (spec,) = api.query("SELECT spec FROM studio_projects WHERE id = %s", uuid.UUID(project))
    assert spec[0]["project"]["name"] == "After" and "description" not in spec[0]["project"]
    deleted = studio.http.delete(f"/projects/{project}/", headers=owner.headers)
    assert deleted.status_code == 204
    assert_error(studio.http.get(f"/projects/{project}/", headers=owner.headers), 404, "NOT_FOUND")


def test_bad_inputs_are_refused_naming_the_field(api: Api, studio: Studio) -> None:
    owner = api.new_user("bad")
    organization = api.new_organization(owner)
    for body, field in (
        ({"organization_id": organization}, "name"),
        ({"name": "  ", "organization_id": organization}, "name"),
        ({"name": "two\nlines", "organization_id": organization}, "name"),
        ({"name": "x" * 201, "organization_id": organization}, "name"),
        ({"name": "ok", "organization_id": "not-a-uuid"}, "organization_id"),
        ({"name": "ok", "organization_id": organization, "extra": 1}, "extra"),
        ({"name": "nul\x00", "organization_id": organization}, "name"),
    ):
        response = studio.http.post("/projects/", headers=owner.headers, json=body)
        assert field in assert_error(response, 400, "VALIDATION_ERROR"), body
    missing = studio.http.post(
        "/projects/",
        headers=owner.headers,
        json={"name": "ok", "organization_id": str(uuid.uuid4())},
    )
    assert_error(missing, 404, "NOT_FOUND")
    assert studio.http.get("/projects/", headers=owner.headers).json()["count"] == 0


def test_the_free_plan_allows_three_projects(api: Api, studio: Studio) -> None:
    owner = api.new_user("limited")
    organization = api.new_organization(owner)
    for n in range(3):
        studio.new_project(owner, organization, f"P{n}")
    refused = studio.http.post(
        "/projects/", headers=owner.headers, json={"name": "P3", "organization_id": organization}
    )
    assert "organization_id" in assert_error(refused, 409, "LIMIT_REACHED")
    listed = studio.http.get("/projects/", headers=owner.headers).json()
    assert listed["count"] == 3
