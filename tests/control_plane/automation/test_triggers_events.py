"""Platform events emitted by Studio and Runtime (control_plane/events.py), each in the
transaction of its change: a project created (by the API or an import), a version
published, an app deployed and a deployment failed; a refused change emits nothing."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.control_plane.conftest import Api, assert_error
from tests.control_plane.runtime.apps_fixture import make_app
from tests.control_plane.runtime.conftest import deploying, finished, runtime  # noqa: F401
from tests.control_plane.studio.conftest import Studio, seed_table


def events_of(api: Api, project: str) -> list[tuple[str, dict[str, Any]]]:
    """The platform events of a project, oldest first: (name, payload)."""
    rows = api.query(
        "SELECT name, payload FROM platform_events WHERE project_id = %s ORDER BY id",
        uuid.UUID(project),
    )
    return [(str(name), dict(payload)) for name, payload in rows]


def test_studio_emits_project_created_and_published(api: Api) -> None:
    studio = Studio(api)
    owner = api.new_user("events-owner")
    organization = api.new_organization(owner, "Events")
    project = studio.new_project(owner, organization, "Gestion Client")
    created = {"project_id": project, "name": "Gestion Client"}
    assert events_of(api, project) == [("project.created", created)]
    [(organization_of_event,)] = api.query(
        "SELECT organization_id FROM platform_events WHERE project_id = %s", uuid.UUID(project)
    )
    assert str(organization_of_event) == organization

    # Publishing a draft with no table is refused: no event.
    refused = studio.http.post(f"/projects/{project}/publish/", headers=owner.headers)
    assert_error(refused, 400, "VALIDATION_ERROR")
    assert len(events_of(api, project)) == 1

    studio.add_table(owner, project, seed_table("clients"))
    studio.publish(owner, project)
    published = {"project_id": project, "name": "Gestion Client", "version": "1.0.0"}
    assert events_of(api, project) == [
        ("project.created", created),
        ("project.published", published),
    ]

    # An imported project is a project created too.
    document = studio.http.get(f"/projects/{project}/export/", headers=owner.headers).json()
    imported = studio.http.post(
        "/projects/import/",
        headers=owner.headers,
        json={"organization_id": organization, "document": document},
    )
    assert imported.status_code == 201, imported.text
    copy = imported.json()["id"]
    assert events_of(api, copy) == [
        ("project.created", {"project_id": copy, "name": "Gestion Client"})
    ]


@pytest.mark.slow
def test_a_deployment_emits_app_deployed_or_app_deployment_failed(
    deploying: Api,  # noqa: F811  (the fixture imported above)
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    api = deploying
    owner = api.new_user("events-deployer")
    organization = api.new_organization(owner, "Deploying events")
    app = make_app(api, organization, monkeypatch)

    response = runtime(api, "POST", f"/apps/{app.id}/deploy/", owner, json={})
    assert response.status_code == 202, response.text
    deployed = finished(api, owner, response.json()["deployment_id"])
    assert deployed["status"] == "success", deployed
    [(name, payload)] = events_of(api, app.project_id)
    assert name == "app.deployed"
    assert payload == {
        "app_id": app.id,
        "app_name": "CRM",
        "project_id": app.project_id,
        "environment": "production",
        "deployment_id": deployed["id"],
        "kind": "deployment",
        "version": "1.0.0",
        "commit": deployed["commit"],
        "url": deployed["deployment_details"]["url"],
    }

    # A release that never answers /health fails its deployment.
    app.generate("1.1.0", unhealthy=True)
    response = runtime(api, "POST", f"/apps/{app.id}/deploy/", owner, json={})
    failed = finished(api, owner, response.json()["deployment_id"])
    assert failed["status"] == "failed", failed
    name, payload = events_of(api, app.project_id)[-1]
    assert name == "app.deployment_failed"
    assert payload["deployment_id"] == failed["id"]
    assert payload["error_code"] == failed["error_code"] == "DEPLOY_001"
    assert payload["error_message"] == failed["error_message"]
    assert [name for name, _ in events_of(api, app.project_id)] == [
        "app.deployed",
        "app.deployment_failed",
    ]
