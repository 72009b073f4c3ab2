"""The seed 001 role matrix on every Studio endpoint (CLIENT reads, MEMBER and above
write), and organisations sealed from each other: another organisation's project, table,
field, version, page or component answers exactly as one that does not exist.

The expectations are written out by hand from the seed, not derived from the code's
`permissions.MATRIX`, so that a wrong matrix in the code fails here."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.control_plane.conftest import Api, User, assert_error
from tests.control_plane.studio.conftest import ROLES, Studio, Team, seed_table

EXPECTED = """
endpoint            CLIENT  MEMBER  ADMIN  OWNER
create_project         403     201    201    201
get_project            200     200    200    200
put_project            403     200    200    200
patch_project          403     200    200    200
delete_project         403     204    204    204
add_table              403     201    201    201
create_schema          403     201    201    201
get_schema             200     200    200    200
put_schema             403     200    200    200
patch_schema           403     200    200    200
delete_schema          403     204    204    204
list_fields            200     200    200    200
create_field           403     201    201    201
get_field              200     200    200    200
put_field              403     200    200    200
patch_field            403     200    200    200
delete_field           403     204    204    204
publish                403     201    201    201
list_versions          200     200    200    200
get_version            200     200    200    200
create_page            403     201    201    201
get_page               200     200    200    200
patch_page             403     200    200    200
delete_page            403     204    204    204
create_component       403     201    201    201
get_component          200     200    200    200
patch_component        403     200    200    200
delete_component       403     204    204    204
export                 200     200    200    200
import                 403     201    201    201
"""


@dataclass(frozen=True)
class World:
    """One organisation's objects, made by its OWNER: a published project with the seed's
    `clients`, a later draft change, a page with a component bound to a field."""

    organization: str
    project: str
    table: str
    field: str
    free_field: str  # bound to no component, so that deleting it is allowed
    free_table: str  # the seed's produits, bound to no component either
    page: str
    component: str
    document: dict[str, Any]


Request = tuple[str, str, dict[str, Any] | None]
ENDPOINTS: dict[str, Callable[[World], Request]] = {
    "create_project": lambda w: (
        "POST",
        "/projects/",
        {"name": "P", "organization_id": w.organization},
    ),
    "get_project": lambda w: ("GET", f"/projects/{w.project}/", None),
    "put_project": lambda w: ("PUT", f"/projects/{w.project}/", {"name": "Renamed"}),
    "patch_project": lambda w: ("PATCH", f"/projects/{w.project}/", {"description": "D"}),
    "delete_project": lambda w: ("DELETE", f"/projects/{w.project}/", None),
    "add_table": lambda w: (
        "POST",
        f"/projects/{w.project}/add_table/",
        {**seed_table("produits"), "name": "stock"},
    ),
    "create_schema": lambda w: (
        "POST",
        "/schemas/",
        {"project": w.project, **seed_table("produits"), "name": "stock"},
    ),
    "get_schema": lambda w: ("GET", f"/schemas/{w.table}/", None),
    "put_schema": lambda w: ("PUT", f"/schemas/{w.table}/", seed_table("clients")),
    "patch_schema": lambda w: ("PATCH", f"/schemas/{w.table}/", {"display_name": "C"}),
    "delete_schema": lambda w: ("DELETE", f"/schemas/{w.free_table}/", None),
    "list_fields": lambda w: ("GET", f"/schemas/{w.table}/fields/", None),
    "create_field": lambda w: (
        "POST",
        f"/schemas/{w.table}/fields/",
        {"name": "ville", "display_name": "Ville", "field_type": "TEXT_SHORT"},
    ),
    "get_field": lambda w: ("GET", f"/schemas/{w.table}/fields/{w.field}/", None),
    "put_field": lambda w: (
        "PUT",
        f"/schemas/{w.table}/fields/{w.field}/",
        {"name": "nom", "display_name": "Nom", "field_type": "TEXT_SHORT"},
    ),
    "patch_field": lambda w: (
        "PATCH",
        f"/schemas/{w.table}/fields/{w.field}/",
        {"display_name": "Nom"},
    ),
    "delete_field": lambda w: ("DELETE", f"/schemas/{w.table}/fields/{w.free_field}/", None),
    "publish": lambda w: ("POST", f"/projects/{w.project}/publish/", None),
    "list_versions": lambda w: ("GET", f"/projects/{w.project}/versions/", None),
    "get_version": lambda w: ("GET", f"/projects/{w.project}/versions/1.0.0/", None),
    "create_page": lambda w: (
        "POST",
        "/pages/",
        {"project": w.project, "name": "P", "route": "/p"},
    ),
    "get_page": lambda w: ("GET", f"/pages/{w.page}/", None),
    "patch_page": lambda w: ("PATCH", f"/pages/{w.page}/", {"name": "Q"}),
    "delete_page": lambda w: ("DELETE", f"/pages/{w.page}/", None),
    "create_component": lambda w: (
        "POST",
        "/components/",
        {"page": w.page, "type": "text", "options": {"content": "x"}},
    ),
    "get_component": lambda w: ("GET", f"/components/{w.component}/", None),
    "patch_component": lambda w: ("PATCH", f"/components/{w.component}/", {"position": 3}),
    "delete_component": lambda w: ("DELETE", f"/components/{w.component}/", None),
    "export": lambda w: ("GET", f"/projects/{w.project}/export/", None),
    "import": lambda w: (
        "POST",
        "/projects/import/",
        {"organization_id": w.organization, "document": w.document},
    ),
}


def _expected() -> dict[tuple[str, str], int]:
    lines = [line.split() for line in EXPECTED.strip().splitlines()]
    assert tuple(lines[0][1:]) == ROLES
    return {
        (row[0], role): int(code)
        for row in lines[1:]
        for role, code in zip(ROLES, row[1:], strict=True)
    }


def _world(api: Api, studio: Studio, organization: str, owner: User) -> World:
    project = studio.new_project(owner, organization)
    clients = studio.add_table(owner, project, seed_table("clients"))
    produits = studio.add_table(owner, project, seed_table("produits"))
    studio.publish(owner, project)
    studio.http.patch(
        f"/projects/{project}/", headers=owner.headers, json={"description": "unpublished"}
    )
    page = studio.http.post(
        "/pages/", headers=owner.headers, json={"project": project, "name": "C", "route": "/c"}
    ).json()
    nom = clients["fields"]["nom"]["id"]
    component = studio.http.post(
        "/components/",
        headers=owner.headers,
        json={"page": page["id"], "type": "table", "table_id": clients["id"], "field_ids": [nom]},
    ).json()
    document = studio.http.get(f"/projects/{project}/export/", headers=owner.headers).json()
    return World(
        organization,
        project,
        clients["id"],
        nom,
        clients["fields"]["adresse"]["id"],
        produits["id"],
        page["id"],
        component["id"],
        document,
    )


def _call(studio: Studio, user: User, request: Request) -> Any:
    method, path, body = request
    return studio.http.request(method, path, headers=user.headers, json=body)


@pytest.fixture(scope="module")
def team(api: Api, studio: Studio) -> Team:
    team = studio.team("matrix")
    api.query(  # room for the projects of every case
        "UPDATE subscriptions SET plan_code = 'enterprise' WHERE organization_id = %s",
        uuid.UUID(team.organization),
    )
    return team


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_role_matrix(api: Api, studio: Studio, team: Team, endpoint: str) -> None:
    expected = _expected()
    for role in ROLES:
        world = _world(api, studio, team.organization, team.owner)
        audited = "SELECT count(*) FROM audit_log WHERE organization_id = %s"
        before = api.query(audited, uuid.UUID(team.organization))
        response = _call(studio, team.users[role], ENDPOINTS[endpoint](world))
        status = expected[(endpoint, role)]
        if status == 403:
            assert_error(response, 403, "PERMISSION_DENIED")
            assert api.query(audited, uuid.UUID(team.organization)) == before
        else:
            assert response.status_code == status, (role, response.text)
            if response.request.method != "GET":
                assert api.query(audited, uuid.UUID(team.organization)) != before, role


def _elsewhere(world: World) -> World:
    """The same requests with ids of nothing (organisation included: a create into an
    organisation one is not in answers as into one that does not exist)."""
    ids = [str(uuid.uuid4()) for _ in range(8)]
    return World(*ids, document=world.document)


def test_other_organisations_see_nothing(api: Api, studio: Studio) -> None:
    a, b = studio.team("sealed-a"), studio.team("sealed-b")
    world = _world(api, studio, a.organization, a.owner)
    before = studio.http.get(f"/projects/{world.project}/export/", headers=a.owner.headers).json()
    nothing = _elsewhere(world)
    for endpoint, request in ENDPOINTS.items():
        for role in ROLES:
            answer = _call(studio, b.users[role], request(world))
            assert_error(answer, 404, "NOT_FOUND")
            absent = _call(studio, b.users[role], request(nothing))
            assert (answer.status_code, answer.json()) == (absent.status_code, absent.json()), (
                endpoint,
                role,
            )
    after = studio.http.get(f"/projects/{world.project}/export/", headers=a.owner.headers).json()
    assert after == before
    for path, filters in (
        ("/projects/", {"organization": a.organization}),
        ("/projects/", {}),
        ("/schemas/", {"project": world.project}),
        ("/pages/", {"project": world.project}),
        ("/components/", {"project": world.project}),
        ("/components/", {"page_id": world.page}),
    ):
        listed = studio.http.get(path, headers=b.owner.headers, params=filters)
        assert listed.status_code == 200 and listed.json()["count"] == 0, (path, listed.text)
