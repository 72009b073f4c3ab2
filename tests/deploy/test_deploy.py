"""`nocode deploy` and `nocode rollback` on one host, for real: Ansible over SSH to hosts in
network namespaces, the CRM app served there and called from here. Its first install on a bare
Debian, an upgrade that loses no request, a re-run that changes nothing, rollbacks on demand and
after a failed health check. Failures that stop a deployment are in test_deploy_refusals.py: the
two files take about as long, one per xdist worker (see tests/conftest.py)."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest

from tests.deploy.deployer import Api, Deployer, commit_unhealthy_release, commit_version, crm_spec
from tests.deploy.hosts import HostFactory
from tests.deploy.watchers import Traffic

pytestmark = pytest.mark.slow


def test_first_deployment_installs_everything_on_a_bare_debian_host(
    deployer: Deployer, host_factory: HostFactory, repo: Path
) -> None:
    """A host with its own root filesystem: a bare Debian 12 with only ssh and python3."""
    host = host_factory.create("bare", own_root=True)
    assert host.run(["dpkg", "-s", "postgresql"]).returncode != 0  # bare indeed

    first = deployer.to("deploy", repo, host)
    assert first.result.returncode == 0, first.output
    for package in ("postgresql", "python3-venv", "supervisor"):
        assert host.run(["dpkg", "-s", package]).returncode == 0, package

    api = Api.on_host(host, deployer.files(host), repo)
    jean = api.create("clients", {"nom": "Jean Dupont", "email": "jean@example.com"})
    assert [client["id"] for client in api.records("clients")] == [jean["id"]]
    assert deployer.to("deploy", repo, host).record["changed"] == 0


def test_deploy_upgrade_rerun_and_rollback(
    deployer: Deployer, host_factory: HostFactory, repo: Path
) -> None:
    host = host_factory.create("crm")
    secret_marker = "do-not-log-" + os.urandom(8).hex()
    first = deployer.to(
        "deploy",
        repo,
        host,
        env={**os.environ, "JWT_SECRET": secret_marker, "PGPASSWORD": secret_marker},
    )
    assert first.result.returncode == 0, first.output
    assert f"http://{host.address}:8000/api/v1/runtime/projects/" in first.result.stdout
    assert [step["step"] for step in first.record["steps"]] == [
        "Build",
        "Validation",
        "Host Preparation",
        "Database",
        "Backup",
        "Code Deployment",
        "Database Migration",
        "Switch",
        "Health Checks",
        "Clean up",
    ]
    assert all(step["status"] == "success" for step in first.record["steps"])

    files = deployer.files(host)
    api = Api.on_host(host, files, repo)
    jean = api.create(
        "clients",
        {"nom": "Jean Dupont", "email": "jean@example.com", "telephone": "+33123456789"},
    )
    api.create("clients", {"nom": "Marie Curie", "email": "marie@example.com"})

    # Nothing secret of the caller or of the host reaches the output or the record.
    env_file = (files / "shared" / ".env").read_text()
    database_password = env_file.split("://")[1].split("@")[0].split(":")[1]
    for text in (first.output, str(first.record)):
        assert secret_marker not in text
        assert database_password not in text
    assert oct((files / "shared" / ".env").stat().st_mode & 0o777) == "0o600"

    # The same release again: nothing changes.
    again = deployer.to("deploy", repo, host)
    assert again.result.returncode == 0, again.output
    assert again.record["changed"] == 0, [
        line for line in again.record["logs"] if line["status"] == "changed"
    ]

    # Version 1.1.0: a new field and a renamed one; the data stays.
    commit_version(repo, crm_spec("1.1.0"))
    with Traffic(f"http://{host.address}:8000/health") as traffic:
        upgrade = deployer.to("deploy", repo, host)
    # Two workers per host: the switch loses no request (each on a new connection).
    assert traffic.answers > 20 and traffic.failures == [], traffic.failures[:3]
    assert upgrade.result.returncode == 0, upgrade.output
    assert upgrade.record["version"] == "1.1.0"
    assert (
        "1 migration" in str(upgrade.record["logs"])
        or upgrade.step("Database Migration")["status"] == "success"
    )
    clients = {client["email"]: client for client in api.records("clients")}
    assert set(clients) == {"jean@example.com", "marie@example.com"}
    assert clients["jean@example.com"]["mobile"] == "+33123456789"
    assert "site_web" in api.fields("clients")
    releases = sorted(path.name for path in (files / "releases").iterdir())
    assert len(releases) == 2 and (files / "current").resolve().name == upgrade.record["release"]
    assert len(list((files / "backups").glob("*.dump"))) == 1

    # Roll back on demand: 1.0.0 serves again, on the schema it knows.
    back = deployer.to("rollback", repo, host)
    assert back.result.returncode == 0, back.output
    assert (files / "current").resolve().name == first.record["release"]
    assert "site_web" not in api.fields("clients")
    clients = {client["email"]: client for client in api.records("clients")}
    assert clients["jean@example.com"]["telephone"] == "+33123456789"
    assert clients["jean@example.com"]["id"] == jean["id"]


def test_failed_health_check_rolls_back(
    deployer: Deployer, host_factory: HostFactory, repo: Path
) -> None:
    host = host_factory.create("crm")
    first = deployer.to("deploy", repo, host)
    assert first.result.returncode == 0, first.output
    files = deployer.files(host)
    api = Api.on_host(host, files, repo)
    api.create(
        "clients", {"nom": "Jean Dupont", "email": "jean@example.com", "telephone": "0102030405"}
    )

    # 1.1.0 migrates the schema, but its /health never answers 200.
    commit_unhealthy_release(repo, "1.1.0")
    failed = deployer.to("deploy", repo, host, "--health-deadline", "6")
    assert failed.result.returncode == 1
    assert "DEPLOY_001" in failed.result.stderr and "Health Checks" in failed.result.stderr
    assert failed.record["status"] == "failed" and failed.record["error_code"] == "DEPLOY_001"
    assert failed.step("Health Checks")["status"] == "failed"
    assert failed.step("Rollback")["status"] == "success"
    assert "rolled back to 1.0.0-" in failed.record["error_message"]
    assert "database restored" in failed.record["error_message"]

    # The previous version serves again, on its own schema, with the data.
    assert httpx.get(f"http://{host.address}:8000/health", timeout=5).status_code == 200
    assert "site_web" not in api.fields("clients")
    assert [client["telephone"] for client in api.records("clients")] == ["0102030405"]
    assert [path.name for path in (files / "releases").iterdir()] == [first.record["release"]]
