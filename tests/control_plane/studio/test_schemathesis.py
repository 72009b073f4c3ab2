"""Schemathesis on the Studio endpoints, with path parameters naming a real project,
table, field, version, page and component of the caller (an OWNER), so that requests
reach the generator's checks, the bindings and the SQL instead of stopping at a 404: no
answer may be a 5xx."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import fresh_database, run_schemathesis
from tests.control_plane.conftest import Api, Inbox, Server, serve
from tests.control_plane.studio.conftest import Studio, seed_table


@pytest.fixture
def own_server(pg_server: str, inbox: Inbox, tmp_path: Path) -> Iterator[Server]:
    server = serve(fresh_database(pg_server), inbox, tmp_path)
    yield server
    server.stop()


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
    config = tmp_path / "schemathesis.toml"
    config.write_text(
        "[parameters]\n"
        f'"path.project_id" = "{project}"\n'
        f'"path.table_id" = "{clients["id"]}"\n'
        f'"path.field_id" = "{clients["fields"]["telephone"]["id"]}"\n'
        '"path.number" = "1.0.0"\n'
        f'"path.page_id" = "{page["id"]}"\n'
        f'"path.component_id" = "{component["id"]}"\n'
    )
    audited = "SELECT count(*) FROM audit_log WHERE organization_id = %s"
    before = api.query(audited, uuid.UUID(organization))
    result = run_schemathesis(
        f"{own_server.base_url}/api/schema/",
        owner.headers["Authorization"],
        tmp_path,
        "--include-path-regex",
        "^/api/v1/studio/",
        "--checks",
        "not_a_server_error",
        "--max-examples",
        "30",
        "--seed",
        "7",
        "--generation-allow-x00",
        "true",
        config=config,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "passed" in result.stdout
    assert api.query(audited, uuid.UUID(organization)) > before  # writes were reached
