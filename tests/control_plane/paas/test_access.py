"""Who may use the PaaS API: a platform token, ADMIN or OWNER of the deployment's
organisation; another organisation's deployment does not exist. And its answers that do
not need a machine: /health, the frameworks, the 404s."""

from __future__ import annotations

import uuid

from tests.control_plane.paas.conftest import Paas, assert_seed_error
from tests.control_plane.paas.test_requests import body
from tests.control_plane.studio.conftest import Team


def test_health_has_the_seed_s_fields(paas: Paas) -> None:
    health = paas.http.get("/health")
    assert health.status_code == 200
    answer = health.json()
    assert answer["status"] == "healthy" and answer["database"] == "ok"
    assert answer["service"] == "nocode control plane" and answer["version"]


def test_frameworks_are_the_table_s(paas: Paas, team: Team) -> None:
    assert_seed_error(paas.request("GET", "/frameworks", None), 401, "NOT_AUTHENTICATED")
    response = paas.request("GET", "/frameworks", team.users["CLIENT"])
    assert response.status_code == 200, response.text
    frameworks = response.json()["frameworks"]
    assert response.json()["success"] is True
    assert set(frameworks) == {"nocode", "fastapi", "flask", "django"}
    for row in frameworks.values():
        assert {"name", "language", "version", "port", "install_cmd"} <= set(row)
    assert frameworks["django"]["language"] == "python"


def test_only_admins_and_owners_deploy_and_nothing_crosses_organisations(
    paas: Paas, team: Team
) -> None:
    request = body(name="roles", github_url="https://github.com/o/r")
    assert_seed_error(paas.deploy(None, request), 401, "NOT_AUTHENTICATED")
    for role in ("MEMBER", "CLIENT"):
        response = paas.deploy(team.users[role], request)
        assert_seed_error(response, 403, "PERMISSION_DENIED")
        with_organization = {**request, "organization_id": team.organization}
        assert_seed_error(
            paas.deploy(team.users[role], with_organization), 403, "PERMISSION_DENIED"
        )
    admin = paas.deploy(team.users["ADMIN"], request)
    assert admin.status_code == 202, admin.text
    deployment = admin.json()["deployment"]
    assert deployment["organization_id"] == team.organization and deployment["vm_id"] >= 100
    [(action,)] = paas.api.query(
        "SELECT action FROM audit_log WHERE object_id = %s", deployment["id"]
    )
    assert action == "paas_deployment.create"

    other = paas.studio.team("paas-other")
    mine = f"/deployments/{deployment['id']}"
    for method, path in (("GET", mine), ("DELETE", mine), ("GET", f"{mine}/logs"),
                         ("POST", f"{mine}/stop"), ("POST", f"{mine}/start")):  # fmt: skip
        answer = assert_seed_error(paas.request(method, path, other.owner), 404, "NOT_FOUND")
        assert answer["error"] == "Deployment not found"
        assert_seed_error(
            paas.request(method, path, team.users["MEMBER"]), 403, "PERMISSION_DENIED"
        )
    listed = paas.request("GET", "/deployments", other.owner).json()
    assert listed == {"success": True, "count": 0, "deployments": []}
    assert paas.stats(other.owner)["total_deployments"] == 0
    into_theirs = {**request, "organization_id": team.organization}
    assert_seed_error(paas.deploy(other.owner, into_theirs), 404, "NOT_FOUND")
    theirs = paas.request(
        "GET", "/deployments", other.owner, params={"organization_id": team.organization}
    )
    assert_seed_error(theirs, 404, "NOT_FOUND")

    # An owner of two organisations says which one.
    twice = paas.api.new_user("twice")
    for name in ("One", "Two"):
        paas.api.new_organization(twice, name)
    answer = assert_seed_error(paas.deploy(twice, request), 400, "VALIDATION_ERROR")
    assert answer["details"] == {
        "organization_id": "Required: you manage the deployments of several organizations"
    }


def test_an_unknown_deployment_is_the_seed_s_404(paas: Paas, team: Team) -> None:
    missing = f"/deployments/{uuid.uuid4()}"
    for method, path in (("GET", missing), ("DELETE", missing), ("GET", f"{missing}/logs"),
                         ("POST", f"{missing}/stop"), ("POST", f"{missing}/start")):  # fmt: skip
        answer = assert_seed_error(paas.request(method, path, team.owner), 404, "NOT_FOUND")
        assert answer["error"] == "Deployment not found"
        assert answer["errors"] == ["Deployment not found"]
