"""Deployments through the API on a real server, run by its in-process worker: the CRM
deployed to the local target (this machine, deployment.local), upgraded, a release that
never answers /health failing at its Health Checks (rolled back by itself), retried, then
the app rolled back on demand; one deployment to an SSH host (a network namespace with
sshd, tests/deploy/hosts.py); the role matrix, isolation and bad input of every endpoint.
"""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from typing import Any

import httpx
import pytest

from control_plane.runtime import paths
from control_plane.runtime.jobs.deployments import LOCAL_PORTS, WORKER_LOST
from control_plane.runtime.services.deployments import STEPS
from deployment.local import remove_local
from tests.conftest import (
    REPOSITORY,
    fresh_database,
    traversable_dir,
)
from tests.control_plane.conftest import Api, Inbox, User, assert_error, serve
from tests.control_plane.runtime.apps_fixture import App, app_client, make_app
from tests.control_plane.runtime.conftest import RUNTIME, finished, runtime, worker_environment

# The SSH hosts of the deployment tests, and what they need on this machine (its packages,
# the app's system user); `_namespaces_work` fails, never skips, where hosts cannot be made.
from tests.deploy.conftest import _namespaces_work, app_user, deployer, host_factory  # noqa: F401
from tests.deploy.deployer import Deployer
from tests.deploy.hosts import HostFactory

pytestmark = pytest.mark.slow


def steps_of(log: dict[str, Any]) -> dict[str, str]:
    return {step["step"]: step["status"] for step in log["steps"]}


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
    # A port below the ephemeral ones, kept by the instance for its next releases.
    assert url.startswith("http://127.0.0.1:") and int(url.rsplit(":", 1)[1]) in LOCAL_PORTS
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
    shown = runtime(api, "GET", f"/apps/{app.id}/", owner).json()
    assert shown["admin_url"] == f"{url}/admin/"
    assert httpx.get(shown["admin_url"]).headers["location"].startswith("/admin/login")

    # 1.1.0: a renamed and an added field. A second deployment while it runs waits for it,
    # unless forced: the local target takes them one after the other.
    app.generate("1.1.0")
    second = runtime(
        api, "POST", f"/apps/{app.id}/deploy/", owner, json={"environment": "production"}
    )
    assert second.status_code == 202, second.text
    busy = runtime(api, "POST", f"/apps/{app.id}/deploy/", owner, json={})
    assert "environment" in assert_error(busy, 409, "CONFLICT")
    forced = runtime(api, "POST", f"/apps/{app.id}/deploy/", owner, json={"force_redeploy": True})
    assert forced.status_code == 202, forced.text
    upgraded = finished(api, owner, second.json()["deployment_id"])
    assert upgraded["status"] == "success", upgraded
    again_upgraded = finished(api, owner, forced.json()["deployment_id"])
    assert again_upgraded["status"] == "success", again_upgraded
    assert again_upgraded["deployment_details"]["force_redeploy"] is True
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
    # The release serving is 1.1.0 (deployed twice): the one before it is 1.0.0.
    serving = max((upgraded, again_upgraded), key=lambda log: str(log["completed_at"]))
    assert runtime(api, "GET", f"/deployment-logs/{serving['id']}/", owner).json()[
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
    assert logs["total_logs"] == 6 and logs["app_name"] == "CRM"
    assert [(entry["kind"], entry["status"]) for entry in logs["logs"]] == [
        ("rollback", "success"), ("deployment", "failed"), ("deployment", "failed"),
        ("deployment", "success"), ("deployment", "success"), ("deployment", "success"),
    ]  # fmt: skip
    paged = runtime(
        api, "GET", "/deployment-logs/", owner, params={"app_id": app.id, "page_size": 2}
    ).json()
    assert paged["count"] == 6 and len(paged["results"]) == 2 and paged["next"]


def test_a_worker_killed_mid_deployment_leaves_a_failed_run(
    pg_server: str, inbox: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """kill -9 of the worker running a deployment: the run keeps its steps, the next
    worker marks it failed (never deploys it again by itself), and the app deploys again."""
    workers: list[subprocess.Popen[bytes]] = []
    with traversable_dir("nc-cp-") as data_dir:
        database = fresh_database(pg_server)
        server = serve(database, inbox, data_dir, in_process_worker="false")
        api = Api(server, inbox)
        environment = worker_environment(server)

        def spawn() -> subprocess.Popen[bytes]:
            worker = subprocess.Popen(
                [sys.executable, "-m", "tests.control_plane.runtime.deploy_worker", database],
                cwd=REPOSITORY, env=environment,
                stdout=subprocess.DEVNULL, stderr=(data_dir / "worker.log").open("ab"),
            )  # fmt: skip
            workers.append(worker)
            return worker

        owner = api.new_user("owner")
        app = make_app(api, api.new_organization(owner, "Killed"), monkeypatch)
        try:
            response = runtime(api, "POST", f"/apps/{app.id}/deploy/", owner, json={})
            run_id = response.json()["deployment_id"]
            worker = spawn()
            deadline = time.monotonic() + 60
            while (
                len(runtime(api, "GET", f"/deployment-logs/{run_id}/", owner).json()["steps"]) < 2
            ):
                assert time.monotonic() < deadline, "the deployment did not start"
                time.sleep(0.05)
            worker.kill()
            worker.wait()
            spawn()
            log = finished(api, owner, run_id, timeout=60)
            assert (log["status"], log["error_message"]) == ("failed", WORKER_LOST)
            assert [step["step"] for step in log["steps"]][:2] == ["Build", "Validation"]
            assert runtime(api, "GET", f"/apps/{app.id}/status/", owner).json()["status"] == (
                "deployment_failed"
            )
            again = runtime(api, "POST", f"/apps/{app.id}/deploy/", owner, json={})
            assert again.status_code == 202, again.text
            assert finished(api, owner, again.json()["deployment_id"])["status"] == "success"
        finally:
            for worker in workers:
                worker.kill()
                worker.wait()
            server.stop()
            remove_local(paths.local_target_dir(data_dir), f"{app.id}-production")


@pytest.fixture(scope="module")
def team(api: Api) -> dict[str, User]:
    """One organisation with a user of each role, and an OWNER of another one."""
    owner = api.new_user("owner")
    organization = api.new_organization(owner, "Matrix")
    users = {"OWNER": owner}
    for role in ("ADMIN", "MEMBER", "CLIENT"):
        users[role] = api.new_user(role.lower())
        api.add_member(organization, owner, users[role], role)
    users["outsider"] = api.new_user("outsider")
    api.new_organization(users["outsider"], "Elsewhere")
    return users


def organization_of(api: Api, user: User) -> str:
    (row,) = api.query(
        "SELECT organization_id FROM memberships WHERE user_id = %s", uuid.UUID(user.id)
    )
    return str(row[0])


def recorded_run(api: Api, app: App, status: str, environment: str = "production") -> str:
    """A deployment run as a finished or running job leaves it, written by SQL."""
    ((run_id,),) = api.query(
        "INSERT INTO runs (organization_id, kind, status) VALUES (%s, 'deployment', %s)"
        " RETURNING id",
        uuid.UUID(app.organization), status,
    )  # fmt: skip
    api.query(
        "INSERT INTO runtime_deployments (run_id, app_id, environment, version, commit)"
        " VALUES (%s, %s, %s, '1.0.0', 'abc')",
        run_id, uuid.UUID(app.id), environment,
    )  # fmt: skip
    return str(run_id)


# What each role gets (seed 001: Runtime ADMIN "CRUD + déploiement"). The 409s are past the
# permission check: a draft app cannot be deployed, nothing is deployed to roll back, a
# successful deployment is not retried.
EXPECTED = {
    "deploy": {"CLIENT": 403, "MEMBER": 403, "ADMIN": 409, "OWNER": 409},
    "rollback": {"CLIENT": 403, "MEMBER": 403, "ADMIN": 409, "OWNER": 409},
    "retry": {"CLIENT": 403, "MEMBER": 403, "ADMIN": 409, "OWNER": 409},
    "status": {"CLIENT": 200, "MEMBER": 200, "ADMIN": 200, "OWNER": 200},
    "logs": {"CLIENT": 200, "MEMBER": 200, "ADMIN": 200, "OWNER": 200},
    "log_detail": {"CLIENT": 200, "MEMBER": 200, "ADMIN": 200, "OWNER": 200},
    "log_list": {"CLIENT": 200, "MEMBER": 200, "ADMIN": 200, "OWNER": 200},
}


def calls(app: App, draft: App, run_id: str) -> dict[str, tuple[str, str, dict[str, Any]]]:
    return {
        "deploy": ("POST", f"/apps/{draft.id}/deploy/", {"json": {}}),
        "rollback": ("POST", f"/apps/{app.id}/rollback/", {}),
        "retry": ("POST", f"/deployment-logs/{run_id}/retry/", {}),
        "status": ("GET", f"/apps/{app.id}/status/", {}),
        "logs": ("GET", f"/apps/{app.id}/logs/", {}),
        "log_detail": ("GET", f"/deployment-logs/{run_id}/", {}),
        "log_list": ("GET", "/deployment-logs/", {"params": {"app_id": app.id}}),
    }


def test_role_matrix_of_the_deployment_endpoints(
    api: Api, team: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    organization = organization_of(api, team["OWNER"])
    app = make_app(api, organization, monkeypatch)
    draft = make_app(api, organization, monkeypatch, generated=False)
    run_id = recorded_run(api, app, "success")
    runs_before = api.query("SELECT count(*) FROM runs")
    for name, (method, path, kwargs) in calls(app, draft, run_id).items():
        for role, expected in EXPECTED[name].items():
            response = runtime(api, method, path, team[role], **kwargs)
            assert response.status_code == expected, (name, role, response.text)
    assert api.query("SELECT count(*) FROM runs") == runs_before
    codes = {
        name: runtime(api, method, path, team["ADMIN"], **kwargs).json().get("code")
        for name, (method, path, kwargs) in calls(app, draft, run_id).items()
        if EXPECTED[name]["ADMIN"] == 409
    }
    assert codes == {"deploy": "DEPLOY_001", "rollback": "DEPLOY_001", "retry": "CONFLICT"}
    listed = runtime(api, "GET", "/deployment-logs/", team["CLIENT"], params={"app_id": app.id})
    assert [entry["id"] for entry in listed.json()["results"]] == [run_id]
    status = runtime(api, "GET", f"/apps/{app.id}/status/", team["CLIENT"]).json()
    assert status["health_status"]["overall"] == "not_deployed" and status["api_url"] is None


def test_another_organization_s_apps_and_logs_are_missing(
    api: Api, team: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(api, organization_of(api, team["OWNER"]), monkeypatch)
    run_id = recorded_run(api, app, "failed")
    outsider = team["outsider"]
    missing_app, missing_run = str(uuid.uuid4()), str(uuid.uuid4())
    for name, (method, path, kwargs) in calls(app, app, run_id).items():
        if name == "log_list":
            continue
        theirs = runtime(api, method, path, outsider, **kwargs)
        missing = path.replace(app.id, missing_app).replace(run_id, missing_run)
        nobody_s = runtime(api, method, missing, outsider, **kwargs)
        assert assert_error(theirs, 404, "NOT_FOUND") == assert_error(nobody_s, 404, "NOT_FOUND")
    listed = runtime(api, "GET", "/deployment-logs/", outsider, params={"app_id": app.id})
    assert listed.json()["count"] == 0
    assert api.query("SELECT count(*) FROM runs WHERE id = %s", uuid.UUID(run_id)) == [(1,)]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"environment": "moon"}, "environment"),
        ({"environment": "production; rm -rf /"}, "environment"),
        ({"force_redeploy": [1]}, "force_redeploy"),
        ({"migration_required": "perhaps"}, "migration_required"),
        ({"target": "elsewhere"}, "target"),
        ("not json", "body"),
    ],
)
def test_bad_deployment_input_is_deploy_003(
    api: Api, team: dict[str, User], monkeypatch: pytest.MonkeyPatch, body: Any, field: str
) -> None:
    app = make_app(api, organization_of(api, team["OWNER"]), monkeypatch, generated=False)
    before = api.query("SELECT count(*) FROM runs")
    owner = team["OWNER"]
    for path in (f"/apps/{app.id}/deploy/", f"/apps/{app.id}/rollback/"):
        if isinstance(body, str):
            headers = {**owner.headers, "Content-Type": "application/json"}
            response = api.http.post(f"{api.server.base_url}{RUNTIME}{path}", content=body,
                                     headers=headers)  # fmt: skip
        else:
            response = runtime(api, "POST", path, owner, json=body)
        # A deploy option given to a rollback is an unknown key there: the same field.
        assert field in assert_error(response, 400, "DEPLOY_003"), response.text
    assert api.query("SELECT count(*) FROM runs") == before
    query = runtime(api, "GET", f"/apps/{app.id}/status/", owner, params={"environment": "moon"})
    assert "environment" in assert_error(query, 400, "VALIDATION_ERROR")
    listed = runtime(api, "GET", "/deployment-logs/", owner, params={"status": "bogus"})
    assert "status" in assert_error(listed, 400, "VALIDATION_ERROR")


def test_a_second_deployment_waits_for_the_first(
    api: Api, team: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(api, organization_of(api, team["OWNER"]), monkeypatch)
    recorded_run(api, app, "running")
    before = api.query("SELECT count(*) FROM runs")
    response = runtime(api, "POST", f"/apps/{app.id}/deploy/", team["ADMIN"], json={})
    assert "environment" in assert_error(response, 409, "CONFLICT")
    assert api.query("SELECT count(*) FROM runs") == before
    assert api.query("SELECT status FROM runtime_apps WHERE id = %s", uuid.UUID(app.id)) == [
        ("generated",)
    ]


def test_deploy_to_an_ssh_host(
    api: Api,
    team: dict[str, User],
    monkeypatch: pytest.MonkeyPatch,
    host_factory: HostFactory,  # noqa: F811  (the fixture imported above)
    deployer: Deployer,  # noqa: F811
) -> None:
    """The organisation's staging goes to its SSH target: the role runs over SSH with the
    stored key, and the app takes the tokens of its own secret (nocode_app_jwt_secret)."""
    owner = team["OWNER"]
    organization = organization_of(api, owner)
    app = make_app(api, organization, monkeypatch)
    host = host_factory.create("crm")
    target = runtime(
        api, "POST", "/targets/", owner,
        json={
            "organization_id": organization, "name": "staging-host", "host": host.address,
            "port": host.port, "username": host.user,
            "private_key": host_factory.client_key.read_text(),
            "apps_root": str(deployer.roots), "environments": ["staging"],
        },
    )  # fmt: skip
    assert target.status_code == 201, target.text

    response = runtime(
        api, "POST", f"/apps/{app.id}/deploy/", owner, json={"environment": "staging"}
    )
    assert response.status_code == 202, response.text
    assert response.json()["target"] == "staging-host"
    assert response.json()["deployment_steps"] == STEPS["ssh"]
    log = finished(api, owner, response.json()["deployment_id"], timeout=900)
    assert log["status"] == "success", log
    assert [step["step"] for step in log["steps"]] == STEPS["ssh"]
    assert log["target_id"] == target.json()["id"]
    assert {line["host"] for line in log["logs"]} == {host.address}
    url = f"http://{host.address}:8000"
    assert log["deployment_details"]["url"] == url
    assert (deployer.roots / f"{app.id}-staging" / "current").is_symlink()

    with app_client(app, url) as crm:
        created = crm.post("/tables/clients/", json={"nom": "Ada", "email": "ada@example.com"})
        assert created.status_code == 201, created.text
    status = runtime(
        api, "GET", f"/apps/{app.id}/status/", owner, params={"environment": "staging"}
    )
    assert status.json()["health_status"]["overall"] == "healthy", status.text
    assert status.json()["deployment_status"]["version"] == "1.0.0"
    # Production has no target: it stays the local target's, with nothing deployed there.
    production = runtime(api, "GET", f"/apps/{app.id}/status/", owner).json()
    assert production["health_status"]["overall"] == "not_deployed"
    # The target serves an app: deleting it would strand the app.
    deleted = runtime(api, "DELETE", f"/targets/{target.json()['id']}/", owner)
    assert "target" in assert_error(deleted, 409, "CONFLICT")
