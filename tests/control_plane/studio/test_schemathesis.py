"""Schemathesis on the Studio endpoints, with path parameters naming a real project,
table, field, version, page and component of the caller (an OWNER), so that requests
reach the generator's checks, the bindings and the SQL instead of stopping at a 404: no
answer may be a 5xx."""

from __future__ import annotations

import uuid
from pathlib import Path

from tests.control_plane.conftest import Api, Inbox, Server, fuzz
from tests.control_plane.studio.conftest import Studio, seed_table


def test_no_server_error_on_the_studio(own_server: Server, inbox: Inbox, tmp_path: Path) -> None:
    api = Api(own_server, inbox)
    studio = Studio(api)
    owner = api.new_user("fuzzer")
    organization = api.new_organization(owner)
    api.query(
        "UPDATE subscriptions SET plan_code = 'enterprise' WHERE organization_id = %s",
        uuid.UUID(organization),
    )
    project = studio.new_project(owner, organization)
    clients = studio.add_table(owner, project, seed_table("clients"))
    studio.add_table(owner, project, seed_table("produits"))
    studio.publish(owner, project)
    page = studio.http.post(
        "/pages/", headers=owner.headers, json={"project": project, "name": "C", "route": "/c"}
    ).json()
    component = studio.http.post(
        "/components/",
        headers=owner.headers,
        json={"page": page["id"], "type": "table", "table_id": clients["id"]},
    ).json()
    before = api.audit_entries(organization)
    parameters = {
        "path.project_id": project,
        "path.table_id": clients["id"],
        "path.field_id": clients["fields"]["telephone"]["id"],
        "path.number": "1.0.0",
        "path.page_id": page["id"],
        "path.component_id": component["id"],
    }
    fuzz(api, owner, tmp_path, parameters, "--include-path-regex", "^/api/v1/studio/")
    assert api.audit_entries(organization) > before  # writes were reached
