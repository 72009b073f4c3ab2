"""Pages and components: documented shapes, bindings by stable id (shown with current
names, kept by renames), bindings to nothing refused with their path, bound fields not
deletable, pages frozen into the version at publish."""

from __future__ import annotations

from typing import Any

import pytest

from tests.control_plane.conftest import Api, User, assert_error
from tests.control_plane.studio.conftest import Studio, seed_table


@pytest.fixture
def owner(api: Api) -> User:
    return api.new_user("pager")


@pytest.fixture
def project(api: Api, studio: Studio, owner: User) -> str:
    return studio.new_project(owner, api.new_organization(owner))


def _page(studio: Studio, owner: User, project: str, route: str = "/clients") -> dict[str, Any]:
    response = studio.http.post(
        "/pages/",
        headers=owner.headers,
        json={"project": project, "name": "Clients", "route": route, "layout": "sidebar"},
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def _component(studio: Studio, owner: User, **body: Any) -> dict[str, Any]:
    response = studio.http.post("/components/", headers=owner.headers, json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_components_bound_by_id_shown_by_name(
    api: Api, studio: Studio, owner: User, project: str
) -> None:
    clients = studio.add_table(owner, project, seed_table("clients"))
    page = _page(studio, owner, project)
    nom, email = clients["fields"]["nom"]["id"], clients["fields"]["email"]["id"]
    table = _component(
        studio,
        owner,
        page=page["id"],
        type="table",
        table_id=clients["id"],
        field_ids=[nom, email],
        options={"page_size": 50},
    )
    assert table["table"] == {"id": clients["id"], "name": "clients"}
    assert table["fields"] == [{"id": nom, "name": "nom"}, {"id": email, "name": "email"}]
    assert table["options"] == {"page_size": 50, "searchable": True, "sortable": True}
    text = _component(
        studio, owner, page=page["id"], type="text", options={"content": "Bonjour"}, position=0
    )
    assert text["table"] is None and text["options"] == {"content": "Bonjour", "format": "plain"}
    read = studio.http.get(f"/pages/{page['id']}/", headers=owner.headers).json()
    assert read["components"] == [text["id"], table["id"]]  # in order of position

    renamed = studio.http.patch(
        f"/schemas/{clients['id']}/fields/{email}/",
        headers=owner.headers,
        json={"name": "courriel"},
    )
    assert renamed.status_code == 200, renamed.text
    again = studio.http.get(f"/components/{table['id']}/", headers=owner.headers).json()
    assert again["fields"] == [{"id": nom, "name": "nom"}, {"id": email, "name": "courriel"}]
    response = studio.http.get(
        "/components/", headers=owner.headers, params={"page_id": page["id"]}
    )
    assert response.status_code == 200, response.text
    listed = response.json()
    assert [c["id"] for c in listed["results"]] == [text["id"], table["id"]]


def test_bindings_and_options_are_checked_by_path(
    api: Api, studio: Studio, owner: User, project: str
) -> None:
    clients = studio.add_table(owner, project, seed_table("clients"))
    page = _page(studio, owner, project)
    nom = clients["fields"]["nom"]["id"]
    cases: list[tuple[dict[str, Any], set[str]]] = [
        ({"type": "table", "table_id": "no-such-table"}, {"table_id"}),
        ({"type": "form"}, {"table_id"}),
        (
            {"type": "detail", "table_id": clients["id"], "field_ids": [nom, "nope"]},
            {"field_ids[1]"},
        ),
        ({"type": "chart", "table_id": clients["id"], "field_ids": []}, {"field_ids"}),
        ({"type": "text", "table_id": clients["id"], "options": {"content": "x"}}, {"table_id"}),
        ({"type": "text"}, {"options.content"}),
        (
            {"type": "table", "table_id": clients["id"], "options": {"page_size": 0}},
            {"options.page_size"},
        ),
        (
            {"type": "button", "options": {"label": "Go", "route": "javascript:alert(1)"}},
            {"options.route"},
        ),
        (
            {"type": "form", "table_id": clients["id"], "options": {"onsubmit": "x"}},
            {"options.onsubmit"},
        ),
    ]
    for body, paths in cases:
        response = studio.http.post(
            "/components/", headers=owner.headers, json={"page": page["id"], **body}
        )
        details = assert_error(response, 400, "VALIDATION_ERROR")
        assert set(details) == paths, (body, details)
    unknown_type = studio.http.post(
        "/components/", headers=owner.headers, json={"page": page["id"], "type": "iframe"}
    )
    assert "type" in assert_error(unknown_type, 400, "VALIDATION_ERROR")
    assert (
        studio.http.get(f"/pages/{page['id']}/", headers=owner.headers).json()["components"] == []
    )


def test_a_bound_field_or_table_cannot_be_deleted(
    api: Api, studio: Studio, owner: User, project: str
) -> None:
    clients = studio.add_table(owner, project, seed_table("clients"))
    page = _page(studio, owner, project)
    telephone = clients["fields"]["telephone"]["id"]
    form = _component(
        studio, owner, page=page["id"], type="form", table_id=clients["id"], field_ids=[telephone]
    )
    field_url = f"/schemas/{clients['id']}/fields/{telephone}/"
    field = studio.http.delete(field_url, headers=owner.headers)
    details = assert_error(field, 409, "CONFLICT")
    assert "page 'Clients'" in details[f"components.{form['id']}"]
    table = studio.http.delete(f"/schemas/{clients['id']}/", headers=owner.headers)
    assert f"components.{form['id']}" in assert_error(table, 409, "CONFLICT")
    unbound = studio.http.patch(
        f"/components/{form['id']}/", headers=owner.headers, json={"field_ids": []}
    )
    assert unbound.status_code == 200, unbound.text
    deleted = studio.http.delete(field_url, headers=owner.headers)
    assert deleted.status_code == 204


def test_routes_are_unique_and_well_formed(
    api: Api, studio: Studio, owner: User, project: str
) -> None:
    page = _page(studio, owner, project, "/clients/{id}")
    taken = studio.http.post(
        "/pages/",
        headers=owner.headers,
        json={"project": project, "name": "Again", "route": "/clients/{id}"},
    )
    assert "route" in assert_error(taken, 409, "CONFLICT")
    for route in ("clients", "/Clients", "/../etc", "/a//b", "/<script>", "/a b"):
        bad = studio.http.post(
            "/pages/", headers=owner.headers, json={"project": project, "name": "X", "route": route}
        )
        assert "route" in assert_error(bad, 400, "VALIDATION_ERROR"), route
    moved = studio.http.patch(
        f"/pages/{page['id']}/", headers=owner.headers, json={"route": "/", "layout": "two_columns"}
    )
    assert moved.status_code == 200 and moved.json()["route"] == "/"
    assert studio.http.delete(f"/pages/{page['id']}/", headers=owner.headers).status_code == 204
    assert_error(studio.http.get(f"/pages/{page['id']}/", headers=owner.headers), 404, "NOT_FOUND")


def test_pages_are_frozen_into_the_version(
    api: Api, studio: Studio, owner: User, project: str
) -> None:
    clients = studio.add_table(owner, project, seed_table("clients"))
    page = _page(studio, owner, project)
    table = _component(studio, owner, page=page["id"], type="table", table_id=clients["id"])
    version = studio.publish(owner, project)
    assert version["pages"] == [
        {
            "id": page["id"],
            "name": "Clients",
            "route": "/clients",
            "layout": "sidebar",
            "components": [
                {
                    "id": table["id"],
                    "type": "table",
                    "position": 0,
                    "table_id": clients["id"],
                    "field_ids": [],
                    "options": {"page_size": 20, "searchable": True, "sortable": True},
                }
            ],
        }
    ]
    studio.http.patch(f"/pages/{page['id']}/", headers=owner.headers, json={"name": "Liste"})
    assert studio.publish(owner, project)["number"] == "1.0.1"  # pages alone: a patch
    first = studio.http.get(f"/projects/{project}/versions/1.0.0/", headers=owner.headers).json()
    assert first["pages"][0]["name"] == "Clients"
