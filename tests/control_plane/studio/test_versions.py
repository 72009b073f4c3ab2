"""Publishing: immutable versions numbered from the generator's change classes, a rename
through the API a rename between two versions, earlier versions still readable."""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath
from typing import Any

import pytest

from generator.changes import Renamed, plan_changes
from generator.generate import build
from generator.spec import parse_spec
from tests.control_plane.conftest import Api, User, assert_error
from tests.control_plane.studio.conftest import Studio, seed_table


@pytest.fixture
def owner(api: Api) -> User:
    return api.new_user("publisher")


@pytest.fixture
def project(api: Api, studio: Studio, owner: User) -> str:
    return studio.new_project(owner, api.new_organization(owner))


def _version(studio: Studio, owner: User, project: str, number: str) -> dict[str, Any]:
    response = studio.http.get(f"/projects/{project}/versions/{number}/", headers=owner.headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_the_first_version_is_1_0_0_and_a_complete_spec(
    api: Api, studio: Studio, owner: User, project: str
) -> None:
    empty = studio.http.post(f"/projects/{project}/publish/", headers=owner.headers)
    assert "tables" in assert_error(empty, 400, "VALIDATION_ERROR")
    studio.add_table(owner, project, seed_table("clients"))
    studio.add_table(owner, project, seed_table("produits"))
    version = studio.publish(owner, project)
    assert version["number"] == "1.0.0" and version["published_by"] == owner.id
    spec = parse_spec(version["spec"])
    assert str(spec.project.id) == project and spec.project.version == "1.0.0"
    assert list(spec.tables) == ["clients", "produits"]
    assert all(field.id for table in spec.tables.values() for field in table.fields.values())
    assert {c["kind"] for c in version["changes"]} == {"table added"}
    read = studio.http.get(f"/projects/{project}/", headers=owner.headers).json()
    assert read["status"] == "published" and read["latest_version"] == "1.0.0"
    again = studio.http.post(f"/projects/{project}/publish/", headers=owner.headers)
    assert_error(again, 409, "NOTHING_TO_PUBLISH")
    assert api.query(
        "SELECT count(*) FROM studio_versions WHERE project_id = %s", uuid.UUID(project)
    ) == [(1,)]


def test_numbers_follow_the_change_classes(
    api: Api, studio: Studio, owner: User, project: str
) -> None:
    clients = studio.add_table(owner, project, seed_table("clients"))
    studio.publish(owner, project)
    fields = f"/schemas/{clients['id']}/fields/"
    email = clients["fields"]["email"]["id"]

    # A rename and an added field: locking and additive -> minor.
    renamed = studio.http.patch(
        f"{fields}{email}/", headers=owner.headers, json={"name": "courriel"}
    )
    assert renamed.status_code == 200, renamed.text
    added = studio.http.post(
        fields,
        headers=owner.headers,
        json={"name": "ville", "display_name": "Ville", "field_type": "TEXT_SHORT"},
    )
    assert added.status_code == 201, added.text
    second = studio.publish(owner, project)
    assert second["number"] == "1.1.0"
    first = _version(studio, owner, project, "1.0.0")
    change_set = plan_changes(parse_spec(first["spec"]), parse_spec(second["spec"]))
    renames = [change.renamed for change in change_set.changes if change.renamed]
    assert renames == [Renamed("clients", "email", "courriel", column=True)]
    assert "field dropped" not in {change.kind for change in change_set.changes}
    assert {c["kind"] for c in second["changes"]} >= {"field renamed", "field added"}

    # Labels and validation rules only: the database does not see them -> patch.
    relabelled = studio.http.patch(
        f"{fields}{email}/", headers=owner.headers, json={"display_name": "Adresse email"}
    )
    assert relabelled.status_code == 200, relabelled.text
    assert studio.publish(owner, project)["number"] == "1.1.1"
    permissions = studio.http.patch(
        f"/schemas/{clients['id']}/",
        headers=owner.headers,
        json={"permissions": {"MEMBER": ["read"]}},
    )
    assert permissions.status_code == 200, permissions.text
    assert studio.publish(owner, project)["number"] == "1.1.2"
    renamed_project = studio.http.patch(
        f"/projects/{project}/", headers=owner.headers, json={"name": "CRM"}
    )
    assert renamed_project.status_code == 200
    assert studio.publish(owner, project)["number"] == "1.1.3"

    # A dropped field loses data -> major.
    ville = added.json()["id"]
    assert studio.http.delete(f"{fields}{ville}/", headers=owner.headers).status_code == 204
    third = studio.publish(owner, project)
    assert third["number"] == "2.0.0"
    assert [c["kind"] for c in third["changes"]] == ["field dropped"]

    # Earlier versions stay as they were.
    assert (
        "email" in _version(studio, owner, project, "1.0.0")["spec"]["tables"]["clients"]["fields"]
    )
    listed = studio.http.get(f"/projects/{project}/versions/", headers=owner.headers).json()
    assert [v["number"] for v in listed["results"]] == [
        "2.0.0",
        "1.1.3",
        "1.1.2",
        "1.1.1",
        "1.1.0",
        "1.0.0",
    ]
    missing = studio.http.get(f"/projects/{project}/versions/9.9.9/", headers=owner.headers)
    assert_error(missing, 404, "NOT_FOUND")
    bad = studio.http.get(f"/projects/{project}/versions/latest/", headers=owner.headers)
    assert_error(bad, 400, "VALIDATION_ERROR")
    immutable = studio.http.put(
        f"/projects/{project}/versions/1.0.0/", headers=owner.headers, json={}
    )
    assert_error(immutable, 405, "METHOD_NOT_ALLOWED")


def test_a_change_the_database_cannot_make_is_refused(
    api: Api, studio: Studio, owner: User, project: str
) -> None:
    produits = studio.add_table(owner, project, seed_table("produits"))
    studio.add_table(owner, project, seed_table("clients"))
    studio.publish(owner, project)
    stock = produits["fields"]["stock"]["id"]
    turned = studio.http.put(
        f"/schemas/{produits['id']}/fields/{stock}/",
        headers=owner.headers,
        json={
            "name": "stock",
            "display_name": "Stock",
            "field_type": "RELATION",
            "relation": {"table": "clients"},
        },
    )
    assert turned.status_code == 200, turned.text
    refused = studio.http.post(f"/projects/{project}/publish/", headers=owner.headers)
    details = assert_error(refused, 409, "CHANGE_REFUSED")
    assert "relation" in details["tables.produits.fields.stock"]
    listed = studio.http.get(f"/projects/{project}/versions/", headers=owner.headers).json()
    assert listed["count"] == 1


def test_a_version_is_what_the_generator_builds_an_app_from(
    api: Api, studio: Studio, owner: User, project: str
) -> None:
    """The contract with Runtime: a version's spec is a complete ProjectSpec, so the
    generator builds the app of it as it is, under `/api/v1/runtime/projects/{id}/`."""
    studio.add_table(owner, project, seed_table("clients"))
    studio.add_table(owner, project, seed_table("produits"))
    version = studio.publish(owner, project)
    generation = build(parse_spec(version["spec"]))
    paths = {str(path) for path in generation.files}
    assert {"app/api/routes/clients.py", "app/api/routes/produits.py"} <= paths, sorted(paths)
    assert project in generation.files[PurePosixPath("nocode.spec.json")]
