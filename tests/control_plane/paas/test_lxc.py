"""The PaaS API end to end on real LXC containers (the bridge and the base container of
tests/provisioning, made once per machine): the CRM deployed on a container with 2 cores
and 512 MB, called, its limits read inside, stopped, started and deleted without a trace;
and a release whose health check fails, ending `failed` with its machine destroyed."""

from __future__ import annotations

import ipaddress
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from deployment.remote import key_file
from platform_support.secrets import read_env_file
from platform_support.vault import KEY_VARIABLE, Vault
from tests.control_plane.paas.conftest import PAAS_SETTINGS, Paas
from tests.control_plane.runtime.apps_fixture import app_client, make_app
from tests.control_plane.studio.conftest import Team
from tests.deploy.deployer import commit_unhealthy_release
from tests.provisioning.lxc import leftovers, prepare_lxc_provider

pytestmark = pytest.mark.slow
# Cores, then the memory limit in bytes (cgroup v2, else v1).
READ_LIMITS = (
    "nproc; cat /sys/fs/cgroup/memory.max 2>/dev/null"
    " || cat /sys/fs/cgroup/memory/memory.limit_in_bytes"
)


@pytest.fixture(scope="module")
def lxc_base(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The tests' bridge and base container, made once per machine (tests/provisioning)."""
    prepare_lxc_provider(tmp_path_factory.mktemp("lxc"))


@pytest.fixture
def lxc_team(paas: Paas, lxc_base: None) -> Iterator[Team]:
    """A new organisation; after the test, whatever it deployed is deleted, passed or failed."""
    team = paas.studio.team(f"paas-lxc-{uuid.uuid4().hex[:6]}")
    yield team
    paas.delete_all(team, timeout=300)


@pytest.fixture(scope="module")
def unhealthy(paas: Paas, lxc_base: None, sources_root: Path) -> Iterator[tuple[Team, str]]:
    """A deployment of a release that never gets healthy, started before the CRM's so that
    both run at once (the worker runs 4 jobs at a time); (its team, its id)."""
    team = paas.studio.team("paas-unhealthy")
    repository = sources_root / f"unhealthy-{uuid.uuid4().hex[:6]}"
    commit_unhealthy_release(repository, "1.0.0")
    request = {
        "name": "unhealthy",
        "deployment_type": "lxc",
        "framework": "nocode",
        "git_url": f"file://{repository}",
        "resources": {"cores": 1, "memory": 512, "disk": 5},
    }
    response = paas.deploy(team.owner, request)
    assert response.status_code == 202, response.text
    yield team, response.json()["deployment"]["id"]
    paas.delete_all(team, timeout=300)


def _private_key(paas: Paas, deployment_id: str) -> str:
    """The machine's SSH private key, decrypted with the server's key."""
    vault = Vault(read_env_file(paas.api.server.data_dir)[KEY_VARIABLE])
    [(private_key,)] = paas.api.query(
        "SELECT ssh_private_key FROM paas_deployments WHERE id = %s", deployment_id
    )
    return vault.decrypt(private_key)


def _inside(address: str, private_key: str, command: str, known_hosts: Path) -> str:
    """`command`'s output inside the machine, over SSH as root with its own key."""
    with key_file(private_key) as key:
        return subprocess.run(
            ["ssh", "-i", str(key), "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no",
             "-o", f"UserKnownHostsFile={known_hosts}", f"root@{address}", command],
            capture_output=True, text=True, check=True, timeout=30,
        ).stdout  # fmt: skip


def _healthy(url: str, timeout: float = 60) -> bool:
    """Whether the app answers /health with 200, asked until `timeout` (at least once)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(f"{url}/health", timeout=3).status_code == 200:
                return True
        except httpx.TransportError:
            pass
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.5)


def _gone(paas: Paas, deployment: dict[str, Any]) -> None:
    """No container, no mount, no address held: nothing of the machine is left."""
    [(name, held)] = paas.api.query(
        "SELECT machine_name, address_held FROM paas_deployments WHERE id = %s", deployment["id"]
    )
    assert name.startswith("nct-") and not held
    assert leftovers(name) == []


def test_the_crm_on_a_container_from_deploy_to_delete(
    paas: Paas,
    unhealthy: tuple[Team, str],
    lxc_team: Team,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """ "Deploy this Runtime app on a new LXC container with 2 cores and 512 MB"."""
    team = lxc_team
    crm = make_app(paas.api, team.organization, monkeypatch)
    request = {
        "name": "crm",
        "deployment_type": "lxc",
        "app_id": crm.id,
        "resources": {"cores": 2, "memory": 512, "disk": 5},
    }
    response = paas.deploy(team.owner, request)
    assert response.status_code == 202, response.text
    deployment_id = response.json()["deployment"]["id"]
    deployment = paas.wait(team.owner, deployment_id, timeout=240)
    assert deployment["status"] == "running", paas.logs(team.owner, deployment_id)["logs"]
    assert deployment["framework"] == "nocode" and deployment["app_id"] == crm.id
    address = deployment["ip_address"]
    network = ipaddress.IPv4Interface(PAAS_SETTINGS["paas_lxc_network"]).network
    assert ipaddress.IPv4Address(address) in network
    assert deployment["access_url"] == f"http://{address}:8000" and deployment["deployed_at"]

    # The app's own API, with a token of the app's own key.
    assert _healthy(deployment["access_url"], timeout=0)
    with app_client(crm, deployment["access_url"]) as client:
        records = client.get("/tables/clients/")
        assert records.status_code == 200 and records.json()["results"] == []
    private_key = _private_key(paas, deployment_id)
    limits = _inside(address, private_key, READ_LIMITS, tmp_path / "known_hosts")
    assert limits.split() == ["2", str(512 * 1024 * 1024)]

    stats = paas.stats(team.owner)
    seed_figures = ("total_deployments", "running_deployments", "failed_deployments")
    assert [stats[figure] for figure in seed_figures] == [1, 1, 0]
    assert stats["success_rate"] == 100.0
    assert stats["resources_in_use"] == {"cores": 2, "memory": 512, "disk": 5}

    stopped = paas.request("POST", f"/deployments/{deployment_id}/stop", team.owner)
    assert stopped.status_code == 200 and stopped.json()["deployment"]["status"] == "stopped"
    assert not _healthy(deployment["access_url"], timeout=0)
    started = paas.request("POST", f"/deployments/{deployment_id}/start", team.owner)
    assert started.status_code == 200 and started.json()["deployment"]["status"] == "running"
    assert _healthy(deployment["access_url"])

    deleted = paas.request("DELETE", f"/deployments/{deployment_id}", team.owner)
    assert deleted.status_code == 200, deleted.text
    assert deleted.json()["deployment"]["status"] == "deleted"
    _gone(paas, deployment)
    runs = paas.logs(team.owner, deployment_id)["runs"]
    assert [(run["kind"], run["status"]) for run in runs] == [
        ("paas_deployment", "success"), ("paas_deletion", "success")
    ]  # fmt: skip
    assert any(step["name"].startswith("Provisioning") for step in runs[0]["steps"])
    assert any(step["name"].startswith("Deprovisioning") for step in runs[1]["steps"])


def test_a_release_that_never_gets_healthy_fails_and_its_machine_is_destroyed(
    paas: Paas, unhealthy: tuple[Team, str]
) -> None:
    team, deployment_id = unhealthy
    deployment = paas.wait(team.owner, deployment_id, timeout=240)
    assert deployment["status"] == "failed"
    assert "step Health Checks failed" in deployment["error_message"], deployment
    logs = paas.logs(team.owner, deployment_id)
    steps = {step["name"]: step["status"] for step in logs["runs"][0]["steps"]}
    assert steps["Health Checks"] == "failed"
    assert any(name.startswith("Deprovisioning") for name in steps)
    assert "Health Checks" in logs["logs"]
    _gone(paas, deployment)
