"""Deployments through the API on a real server, run by its in-process worker: the CRM
deployed to the local target (this machine, deployment.local), upgraded, a release that
never answers /health failing at its Health Checks (rolled back by itself), retried, then
the app rolled back on demand; one deployment to an SSH host (a network namespace with
sshd, tests/deploy/hosts.py); the role matrix, isolation and bad input of every endpoint.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from control_plane.runtime import paths
from control_plane.runtime.services.deployments import STEPS
from deployment.local import remove_local
from nocode.apps import development_token
from tests.conftest import fresh_database, traversable_dir
from tests.control_plane.conftest import Api, Inbox, User, serve
from tests.control_plane.runtime.apps_fixture import App, make_app

RUNTIME = "/api/v1/runtime"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def deploying(pg_server: str, inbox: Inbox) -> Iterator[Api]:
    """A control plane whose data folder the local target's PostgreSQL (run as the
    embedded_postgres user when tests run as root) may go through; its local instances
    are removed afterwards (they outlive the control plane by design)."""
    with traversable_dir("nc-cp-") as data_dir:
        server = serve(fresh_database(pg_server), inbox, data_dir, deploy_health_deadline="6")
        client = Api(server, inbox)
        try:
            yield client
        finally:
            instances = client.query(
                "SELECT app_id, environment FROM runtime_instances WHERE target_id IS NULL"
            )
            client.http.close()
            server.stop()
            for app_id, environment in instances:
                remove_local(paths.local_target_dir(data_dir), f"{app_id}-{environment}")


def runtime(api: Api, method: str, path: str, user: User, **kwargs: Any) -> httpx.Response:
    return api.http.request(
        method, f"{api.server.base_url}{RUNTIME}{path}", headers=user.headers, **kwargs
    )


def finished(api: Api, user: User, run_id: str, timeout: float = 600) -> dict[str, Any]:
    """The deployment log of run `run_id` once it has finished."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = runtime(api, "GET", f"/deployment-logs/{run_id}/", user)
        assert response.status_code == 200, response.text
        log = response.json()
        if log["status"] in ("success", "failed", "cancelled"):
            return dict(log)
        time.sleep(0.5)
    raise AssertionError(f"run {run_id} did not finish within {timeout} s")


def steps_of(log: dict[str, Any]) -> dict[str, str]:
    return {step["step"]: step["status"] for step in log["steps"]}


def app_client(app: App, url: str, role: str = "OWNER") -> httpx.Client:
    """The deployed app's own API, with a token signed by the app's secret."""
    token = development_token(app.repository, role, secret=app.jwt_secret)
    return httpx.Client(
        base_url=f"{url}/api/v1/runtime/projects/{app.project_id}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )


def test_local_deploy_fail_retry_and_rollback(
    deploying: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = deploying
    owner = api.new_user("owner")
    organization = api.new_organization(owner, "Deployers")
    app = make_app(api, organization, monkeypatch)

    # 1.0.0 to production, the app's environment: the local target.
    started = time.monotonic()
    response = runtime(api, "POST", f"/apps/{app.id}/deploy/", owner, json={})
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["status"] == "déploiement démarré" and body["app_status"] == "deployment_pending"
    assert body["environment"] == "production" and body["target"] == "local"
    assert body["deployment_steps"] == STEPS["local"]
    first = finished(api, owner, body["deployment_id"])
    seconds = time.monotonic() - started
    print(f"local deploy of the CRM through the API: {seconds:.1f} s")
    assert first["status"] == "success", first
    # Nothing served before: nothing to back up.
    assert [step["step"] for step in first["steps"]] == [
        step for step in STEPS["local"] if step != "Backup"
    ]
    assert set(steps_of(first).values()) == {"success"}
    assert first["logs"] and first["version"] == "1.0.0"
    url = first["deployment_details"]["url"]
    assert url.startswith("http://127.0.0.1:")
    tags = subprocess.run(
        ["git", "-C", str(app.repository), "tag", "--list", "release/*"],
        capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    assert tags == [f"release/production/1.0.0-{first['commit'][:12]}"]

    # The app takes tokens signed with its secret (the proxy's), and serves its data.
    with app_client(app, url) as crm:
        created = crm.post("/tables/clients/", json={"nom": "Jean", "email": "jean@example.com"})
        assert created.status_code == 201, created.text
        assert crm.get("/tables/clients/").status_code == 200
    status = runtime(api, "GET", f"/apps/{app.id}/status/", owner).json()
    assert status["status"] == "deployed"
    assert status["health_status"]["overall"] == "healthy"
    assert status["deployment_status"]["version"] == "1.0.0"
    assert status["performance"]["requests"] >= 2
    assert status["performance"]["error_rate"] == 0
    assert status["performance"]["response_time_ms"] > 0
    assert status["api_url"] == f"{url}/api/v1/runtime/projects/{app.project_id}/"

    # 1.1.0: a renamed and an added field.
    app.generate("1.1.0")
    second = runtime(
        api, "POST", f"/apps/{app.id}/deploy/", owner, json={"environment": "production"}
    )
    assert second.status_code == 202, second.text
    upgraded = finished(api, owner, second.json()["deployment_id"])
    assert upgraded["status"] == "success", upgraded
    with app_client(app, url) as crm:
        fields = [field["name"] for field in crm.get("/schema/clients/").json()["fields"]]
        assert "site_web" in fields

    # 1.2.0 never answers /health: it fails at its Health Checks and rolls itself back.
    app.generate("1.2.0", unhealthy=True)
    third = runtime(api, "POST", f"/apps/{app.id}/deploy/", owner, json={})
    failed = finished(api, owner, third.json()["deployment_id"])
    assert failed["status"] == "failed" and failed["error_code"] == "DEPLOY_001"
    assert steps_of(failed)["Health Checks"] == "failed"
    assert steps_of(failed)["Rollback"] == "success"
    assert "Health Checks" in failed["error_message"]
    assert runtime(api, "GET", f"/apps/{app.id}/status/", owner).json()["status"] == (
        "deployment_failed"
    )
    assert httpx.get(f"{url}/health", timeout=5).status_code == 200  # 1.1.0 serves again
    listed = runtime(
        api, "GET", "/deployment-logs/", owner, params={"app_id": app.id, "status": "failed"}
    ).json()
    assert [entry["id"] for entry in listed["results"]] == [failed["id"]]

    # Retried: a new run of the same commit, which fails the same way.
    retry = runtime(api, "POST", f"/deployment-logs/{failed['id']}/retry/", owner)
    assert retry.status_code == 202, retry.text
    assert retry.json()["original_deployment_id"] == failed["id"]
    again = finished(api, owner, retry.json()["new_deployment"]["id"])
    assert again["retry_of"] == failed["id"] and again["commit"] == failed["commit"]
    assert again["status"] == "failed" and steps_of(again)["Health Checks"] == "failed"

    # Rolled back on demand: 1.0.0 serves again, on its own schema, with the data.
    assert runtime(api, "GET", f"/deployment-logs/{upgraded['id']}/", owner).json()[
        "rollback_available"
    ]
    back = runtime(api, "POST", f"/apps/{app.id}/rollback/", owner)
    assert back.status_code == 202, back.text
    assert back.json()["kind"] == "rollback"
    rolled = finished(api, owner, back.json()["deployment_id"])
    assert rolled["status"] == "success", rolled
    assert rolled["kind"] == "rollback" and rolled["version"] == "1.0.0"
    with app_client(app, url) as crm:
        fields = [field["name"] for field in crm.get("/schema/clients/").json()["fields"]]
        assert "site_web" not in fields and "telephone" in fields
        assert [row["nom"] for row in crm.get("/tables/clients/").json()["results"]] == ["Jean"]
    status = runtime(api, "GET", f"/apps/{app.id}/status/", owner).json()
    assert status["status"] == "deployed"
    assert status["deployment_status"]["version"] == "1.0.0"
    assert status["deployment_status"]["kind"] == "rollback"

    logs = runtime(api, "GET", f"/apps/{app.id}/logs/", owner).json()
    assert logs["total_logs"] == 5 and logs["app_name"] == "CRM"
    assert [entry["status"] for entry in logs["logs"]] == [
        "success", "failed", "failed", "success", "success",
    ]  # fmt: skip
    paged = runtime(
        api, "GET", "/deployment-logs/", owner, params={"app_id": app.id, "page_size": 2}
    ).json()
    assert paged["count"] == 5 and len(paged["results"]) == 2 and paged["next"]
