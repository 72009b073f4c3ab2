"""GET /system-metrics/ from the real server: the control plane's machine, database and
jobs read now; the organisation's targets as the metrics job read them over SSH (a real
sshd in a network namespace, tests/deploy/hosts.py) or failed to (a closed port)."""

from __future__ import annotations

import asyncio

import pytest

from control_plane.insights.jobs.metrics import collect_metrics
from tests.conftest import free_port
from tests.control_plane.conftest import Api, assert_error, run_job
from tests.control_plane.insights.conftest import new_team, read
from tests.control_plane.runtime.conftest import runtime
from tests.control_plane.studio.conftest import Team
from tests.deploy.conftest import _namespaces_work, host_factory  # noqa: F401
from tests.deploy.hosts import HostFactory


@pytest.fixture(scope="module")
def team(api: Api) -> Team:
    return new_team(api)


def test_only_admins_read_them(api: Api, team: Team) -> None:
    for role, status, code in (
        ("MEMBER", 403, "PERMISSION_DENIED"),
        ("CLIENT", 403, "PERMISSION_DENIED"),
        ("outsider", 404, "NOT_FOUND"),
    ):
        user = team.users[role]
        assert_error(
            read(api, "/system-metrics/", user, organization=team.organization), status, code
        )


def test_the_control_plane_and_its_targets(
    api: Api,
    team: Team,
    host_factory: HostFactory,  # noqa: F811  (the fixture imported above)
) -> None:
    owner = team.users["OWNER"]
    host = host_factory.create("metrics")
    key = host_factory.client_key.read_text()
    for name, address, port in (
        ("reached", host.address, host.port),
        ("closed", "127.0.0.1", free_port()),
    ):
        body = {
            "organization_id": team.organization, "name": name, "host": address,
            "port": port, "username": host.user, "private_key": key,
        }  # fmt: skip
        created = runtime(api, "POST", "/targets/", owner, json=body)
        assert created.status_code == 201, created.text
    job = asyncio.run(run_job(api.server.database_url, collect_metrics))
    assert "2 targets read" in job.log[-1].line

    response = read(api, "/system-metrics/", team.users["ADMIN"], organization=team.organization)
    assert response.status_code == 200, response.text
    body = response.json()
    machine = body["control_plane"]
    assert machine["cpu_count"] >= 1 and 0 <= machine["cpu_percent"] <= 100
    assert len(machine["load_average"]) == 3
    assert 0 < machine["memory"]["available_mb"] <= machine["memory"]["total_mb"]
    assert 0 < machine["disk"]["used_gb"] < machine["disk"]["total_gb"]
    assert body["database"]["size_mb"] > 1 and body["database"]["max_connections"] >= 10
    assert sum(body["database"]["connections"].values()) >= 2
    assert body["jobs"]["workers_alive"] >= 1 and body["jobs"]["queued"] >= 0

    closed, reached = body["targets"]  # by name
    assert (reached["name"], reached["reachable"], reached["error"]) == ("reached", True, None)
    assert len(reached["load_average"]) == 3 and reached["collected_at"]
    assert 0 < reached["memory"]["available_mb"] <= reached["memory"]["total_mb"]
    assert 0 < reached["disk"]["used_gb"] < reached["disk"]["total_gb"]
    assert (closed["name"], closed["reachable"], closed["memory"]) == ("closed", False, None)
    assert "refused" in closed["error"], closed
