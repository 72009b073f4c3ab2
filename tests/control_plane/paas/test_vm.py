"""The PaaS API end to end on a real VM (libvirt and QEMU; software emulation on a machine
without usable KVM): the FastAPI sample of tests/deploy/webapps deployed onto a VM with
1 core, 512 MB and 10 GB, called, then deleted without a trace. A web app rather than the
CRM: under emulation the CRM's deployment takes about 10 minutes (docs/provisioning.md), the
CRM's deployment onto a machine is the LXC test's, and the VM is what this test is about."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.control_plane.paas.conftest import Paas
from tests.control_plane.studio.conftest import Team
from tests.deploy.test_webapp import sample
from tests.provisioning.libvirt import domains, leases, machine_files, require_libvirt

pytestmark = pytest.mark.slow


@pytest.fixture
def vm_team(paas: Paas) -> Iterator[Team]:
    """A new organisation; after the test, its deployments are deleted, passed or failed."""
    require_libvirt()
    team = paas.studio.team(f"paas-vm-{uuid.uuid4().hex[:6]}")
    yield team
    paas.delete_all(team, timeout=1800)


def _answers(url: str, timeout: float = 60) -> httpx.Response:
    """The app's answer to `url`, asked until it answers (a VM under emulation is slow)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return httpx.get(url, timeout=10)
        except httpx.TransportError:
            if time.monotonic() >= deadline:
                raise
            time.sleep(1)


def test_a_web_app_on_a_vm_from_deploy_to_delete(
    paas: Paas, vm_team: Team, sources_root: Path
) -> None:
    repository = sample(sources_root, "fastapi")
    request = {
        "name": "vm-app",
        "deployment_type": "vm",
        "framework": "fastapi",
        "git_url": f"file://{repository}",
        "resources": {"cores": 1, "memory": 512, "disk": 10},
    }
    response = paas.deploy(vm_team.owner, request)
    assert response.status_code == 202, response.text
    deployment_id = response.json()["deployment"]["id"]
    deployment = paas.wait(vm_team.owner, deployment_id, timeout=1800)
    assert deployment["status"] == "running", paas.logs(vm_team.owner, deployment_id)["logs"]
    assert deployment["deployment_type"] == "vm" and deployment["vm_id"] >= 100
    answer = _answers(f"{deployment['access_url']}/api/info")
    assert answer.status_code == 200, answer.text

    deleted = paas.request("DELETE", f"/deployments/{deployment_id}", vm_team.owner)
    assert deleted.status_code == 200, deleted.text
    assert deleted.json()["deployment"]["status"] == "deleted"
    [(name, held)] = paas.api.query(
        "SELECT machine_name, address_held FROM paas_deployments WHERE id = %s", deployment_id
    )
    assert not held and name not in domains() and machine_files(name) == []
    assert f"name='{name}'" not in leases()
