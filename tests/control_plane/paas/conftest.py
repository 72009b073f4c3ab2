"""Helpers of the PaaS tests: a control plane of their own (`nocode serve` with the PaaS
settings of the tests: machines named `nct-...` on the tests' own bridge and networks, Git
sources under a folder of the session), an HTTP client of `/api/`, and a team of one
organisation with a user of each role."""

from __future__ import annotations

import json
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import fresh_database
from tests.control_plane.conftest import Api, Inbox, Server, User, serve
from tests.control_plane.studio.conftest import Studio, Team
from tests.provisioning import libvirt, lxc

# The tests' own names and networks (docs/provisioning.md): never a demo control plane's.
# The machines are tests/provisioning's: same path, bridge and base container, same libvirt
# network and base image (PaaS addresses come from the bottom of each network, below the
# addresses tests/provisioning takes).
PAAS_SETTINGS = {
    "paas_machine_prefix": "nct-",
    "paas_lxc_bridge": lxc.BRIDGE,
    "paas_lxc_network": str(lxc.GATEWAY),
    "paas_lxc_path": str(lxc.LXC_PATH),
    "paas_lxc_base": lxc.BASE,
    "paas_vm_bridge": libvirt.NETWORK,
    "paas_vm_network": str(libvirt.GATEWAY),
    "paas_vm_image_dir": str(libvirt.IMAGES),
}
SEED_ERROR_KEYS = {"success", "errors", "error", "details", "code"}
FINISHED = {"running", "failed", "stopped", "deleted"}


@pytest.fixture(scope="session")
def sources_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The one folder whose repositories the tests' control plane deploys by path."""
    return tmp_path_factory.mktemp("paas-sources")


@pytest.fixture(scope="session")
def paas_server(
    pg_server: str, inbox: Inbox, sources_root: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    settings = PAAS_SETTINGS | {
        "paas_source_roots": json.dumps([str(sources_root)]),
        "deploy_health_deadline": "10",  # a release that never gets healthy fails soon
    }
    server = serve(fresh_database(pg_server), inbox, tmp_path_factory.mktemp("paas"), **settings)
    yield server
    server.stop()


class Paas:
    """An HTTP client of the PaaS API, as a given user."""

    def __init__(self, server: Server, inbox: Inbox) -> None:
        self.api = Api(server, inbox)
        self.studio = Studio(self.api)
        self.http = httpx.Client(base_url=server.base_url, timeout=120)

    def request(self, method: str, path: str, by: User | None, **kwargs: Any) -> httpx.Response:
        return self.http.request(method, f"/api{path}", headers=by.headers if by else {}, **kwargs)

    def deploy(self, by: User | None, body: dict[str, Any]) -> httpx.Response:
        return self.request("POST", "/deploy", by, json=body)

    def deployment(self, by: User, deployment_id: str) -> dict[str, Any]:
        response = self.request("GET", f"/deployments/{deployment_id}", by)
        assert response.status_code == 200, response.text
        return dict(response.json()["deployment"])

    def wait(self, by: User, deployment_id: str, timeout: float = 120) -> dict[str, Any]:
        """The deployment once its job has finished with it (running or failed)."""
        deadline = time.monotonic() + timeout
        while True:
            deployment = self.deployment(by, deployment_id)
            if deployment["status"] in FINISHED:
                return deployment
            assert time.monotonic() < deadline, f"still {deployment['status']} after {timeout} s"
            time.sleep(0.2)

    def delete_all(self, team: Team, timeout: float) -> None:
        """Whatever `team` deployed, deleted once its job is done with it (`timeout` each)."""
        for deployment in self.request("GET", "/deployments", team.owner).json()["deployments"]:
            if self.wait(team.owner, deployment["id"], timeout)["status"] != "deleted":
                self.request("DELETE", f"/deployments/{deployment['id']}", team.owner)

    def logs(self, by: User, deployment_id: str) -> dict[str, Any]:
        response = self.request("GET", f"/deployments/{deployment_id}/logs", by)
        assert response.status_code == 200, response.text
        return dict(response.json())

    def stats(self, by: User, **params: Any) -> dict[str, Any]:
        response = self.request("GET", "/stats", by, params=params)
        assert response.status_code == 200, response.text
        return dict(response.json()["stats"])

    def rows(self, organization: str) -> int:
        [(count,)] = self.api.query(
            "SELECT count(*) FROM paas_deployments WHERE organization_id = %s",
            uuid.UUID(organization),
        )
        return int(count)


@pytest.fixture(scope="session")
def paas(paas_server: Server, inbox: Inbox) -> Iterator[Paas]:
    client = Paas(paas_server, inbox)
    yield client
    client.http.close()
    client.api.http.close()


@pytest.fixture(scope="session")
def team(paas: Paas) -> Team:
    return paas.studio.team("paas")


def assert_seed_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """Seed 002's error body and the platform's envelope in one; returns the body."""
    assert response.status_code == status, response.text
    body = dict(response.json())
    assert set(body) == SEED_ERROR_KEYS, body
    assert body["success"] is False and body["code"] == code, body
    assert body["errors"] == (list(body["details"].values()) or [body["error"]]), body
    return body


def git_repository(folder: Path, files: dict[str, str]) -> Path:
    """A Git repository of `files`, committed once."""
    folder.mkdir(parents=True)
    for relative, text in files.items():
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_text(text)
    git = ["git", "-C", str(folder), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q", "-b", "main"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "first"], check=True)
    return folder
