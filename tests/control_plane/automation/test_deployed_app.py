"""Nodes against a project's app deployed through the platform onto its local target: a
record created through the app, then read back by a `database_query` on the app's own
database (found through the local instance), which stays read-only unless asked."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

from control_plane.automation.engine.nodes import NodeFailed
from control_plane.automation.node_types import NodeType
from tests.control_plane.automation.conftest import Place, executing, new_workflow
from tests.control_plane.conftest import Api
from tests.control_plane.runtime.apps_fixture import make_app
from tests.control_plane.runtime.conftest import finished, runtime


def test_nodes_use_the_locally_deployed_app(
    deploying: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = deploying
    owner = api.new_user("owner")
    organization = api.new_organization(owner, "Automators")
    app = make_app(api, organization, monkeypatch)
    response = runtime(api, "POST", f"/apps/{app.id}/deploy/", owner, json={})
    assert response.status_code == 202, response.text
    assert finished(api, owner, response.json()["deployment_id"])["status"] == "success"
    project = uuid.UUID(app.project_id)
    place = Place(organization, project, new_workflow(api, project, owner))

    async def scenario() -> list[Any]:
        async with executing(api.server, organization, project, place.workflow_id) as here:
            created = await here.run(
                NodeType.ACTION,
                {
                    "action_type": "create_record",
                    "table": "clients",
                    "data": {"nom": "{{input_data.nom}}", "email": "ana@example.com"},
                },
                {"nom": "Ana Lima"},
            )
            read = await here.run(
                NodeType.DATABASE_QUERY,
                {"query": "SELECT nom FROM clients WHERE id = $1", "params": ["{{input_data.id}}"]},
                {"id": created["record_id"]},
            )
            try:
                await here.run(NodeType.DATABASE_QUERY, {"query": "DELETE FROM clients"})
            except NodeFailed as failed:
                refused = failed.code
            count = await here.run(
                NodeType.DATABASE_QUERY, {"query": "SELECT count(*) AS n FROM clients"}
            )
            return [read, refused, count]

    read, refused, count = asyncio.run(scenario())
    assert read["rows"] == [{"nom": "Ana Lima"}]
    assert refused == "25006"  # read-only transaction
    assert count["rows"] == [{"n": 1}]
