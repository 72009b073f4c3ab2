"""Deployments that end before a machine is made, through the real job: GitHub cannot be
reached from here, so a GitHub source fails at its `Source` step with git's reason (its
logs, the statistics, a DELETE that has no machine to destroy); a Proxmox API that cannot
be reached fails at `Provisioning`."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from tests.conftest import free_port, fresh_database
from tests.control_plane.conftest import Inbox, serve
from tests.control_plane.paas.conftest import PAAS_SETTINGS, Paas, assert_seed_error, git_repository
from tests.control_plane.paas.test_requests import body


def test_an_unreachable_github_fails_at_its_source_step(paas: Paas) -> None:
    team = paas.studio.team("paas-github")
    url = "https://github.com/django/django-example"
    response = paas.deploy(team.owner, body(name="from-github", deployment_type="lxc",
                                            github_url=url))  # fmt: skip
    assert response.status_code == 202, response.text
    started = response.json()
    assert started["success"] is True and started["deployment"]["status"] == "pending"
    deployment_id = started["deployment"]["id"]

    deployment = paas.wait(team.owner, deployment_id)
    assert deployment["status"] == "failed", deployment
    assert deployment["error_message"] == (
        f"Source: could not fetch {url}: fatal: unable to access '{url}/': "
        "Could not resolve host: github.com"
    )
    assert deployment["ip_address"] is None and deployment["access_url"] is None
    logs = paas.logs(team.owner, deployment_id)
    [run] = logs["runs"]
    assert run["kind"] == "paas_deployment" and run["status"] == "failed"
    assert [(step["name"], step["status"]) for step in run["steps"]] == [("Source", "failed")]
    assert "Could not resolve host: github.com" in logs["logs"]
    stats = paas.stats(team.owner)
    assert {key: stats[key] for key in ("total_deployments", "running_deployments",
            "failed_deployments", "success_rate")} == {  # fmt: skip
        "total_deployments": 1, "running_deployments": 0, "failed_deployments": 1,
        "success_rate": 0.0,
    }  # fmt: skip
    assert stats["machines"] == 0

    # Being deployed: a DELETE is refused (the job's state set by hand, for the window).
    paas.api.query("UPDATE paas_deployments SET status = 'deploying' WHERE id = %s", deployment_id)
    refused = paas.request("DELETE", f"/deployments/{deployment_id}", team.owner)
    answer = assert_seed_error(refused, 409, "CONFLICT")
    assert answer["errors"] == [
        "Deployment is deploying: wait until it is running or failed, then delete it"
    ]
    paas.api.query("UPDATE paas_deployments SET status = 'failed' WHERE id = %s", deployment_id)
    for action in ("stop", "start"):
        wrong = paas.request("POST", f"/deployments/{deployment_id}/{action}", team.owner)
        assert_seed_error(wrong, 409, "CONFLICT")

    deleted = paas.request("DELETE", f"/deployments/{deployment_id}", team.owner)
    assert deleted.status_code == 200, deleted.text
    answer = deleted.json()
    assert answer["success"] is True and answer["message"] == "Deployment deleted successfully"
    assert answer["deployment"]["status"] == "deleted"
    runs = paas.logs(team.owner, deployment_id)["runs"]
    assert [(run["kind"], run["status"]) for run in runs] == [
        ("paas_deployment", "failed"), ("paas_deletion", "success")
    ]  # fmt: skip
    stats = paas.stats(team.owner)
    assert (stats["total_deployments"], stats["deleted_deployments"]) == (0, 1)
    actions = paas.api.query(
        "SELECT action FROM audit_log WHERE object_id = %s ORDER BY id", deployment_id
    )
    assert actions == [("paas_deployment.create",), ("paas_deployment.delete",)]


def test_a_proxmox_that_cannot_be_reached_fails_at_provisioning(
    pg_server: str, inbox: Inbox, sources_root: Path, tmp_path: Path
) -> None:
    """PAAS_VM_PROVIDER=proxmox: VMs are asked of the Proxmox API, here a closed port."""
    settings = PAAS_SETTINGS | {
        "paas_source_roots": json.dumps([str(sources_root)]),
        "paas_vm_provider": "proxmox",
        "paas_proxmox_api_host": "127.0.0.1",
        "paas_proxmox_api_port": str(free_port()),
        "paas_proxmox_api_user": "nocode@pve",
        "paas_proxmox_api_token_id": "tests",
        "paas_proxmox_api_token_secret": "not-a-secret",
        "paas_proxmox_node": "pve",
        "paas_proxmox_vm_template": "debian-12",
    }
    server = serve(fresh_database(pg_server), inbox, tmp_path / "cp", **settings)
    paas = Paas(server, inbox)
    try:
        team = paas.studio.team("paas-proxmox")
        site = git_repository(
            sources_root / f"flask-{uuid.uuid4().hex[:6]}",
            {
                "requirements.txt": "flask\n",
                "app.py": "from flask import Flask\napp = Flask(__name__)\n",
            },
        )
        request = body(name="on-proxmox", framework="flask", github_url=None, git_url=str(site))
        response = paas.deploy(team.owner, request)
        assert response.status_code == 202, response.text
        deployment = paas.wait(team.owner, response.json()["deployment"]["id"])
        assert deployment["status"] == "failed", deployment
        assert deployment["error_message"].startswith("Provisioning: "), deployment
        logs = paas.logs(team.owner, deployment["id"])
        steps = [step["name"] for step in logs["runs"][0]["steps"]]
        assert steps[:2] == ["Source", "Framework"] and steps[2].startswith("Provisioning")
        assert paas.stats(team.owner)["machines"] == 0
    finally:
        server.stop()
        paas.http.close()
