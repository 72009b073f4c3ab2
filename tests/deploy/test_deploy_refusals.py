"""Deployments that must stop without harm, for real (see test_deploy.py): a host that cannot be
reached or trusted, a disk too small or filling up, a host failing in a rollout across two."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.deploy.deployer import Deployer, commit_unhealthy_release, commit_version, crm_spec
from tests.deploy.hosts import HostFactory
from tests.deploy.watchers import ProcessWatch

pytestmark = pytest.mark.slow


def test_two_hosts_roll_one_at_a_time_and_a_failure_stops_the_rollout(
    deployer: Deployer, host_factory: HostFactory, repo: Path
) -> None:
    hosts = [host_factory.create("web1"), host_factory.create("web2")]
    inventory = str(deployer.inventory(hosts))
    first = deployer("deploy", repo, "--inventory", inventory, "--health-deadline", "20")
    assert first.result.returncode == 0, first.output
    order = [(line["host"], line["step"]) for line in first.record["logs"]]
    # web1 is switched and checked before web2 starts: one batch at a time.
    assert order.index(("web1", "Health Checks")) < order.index(("web2", "Validation"))
    for host in hosts:
        assert httpx.get(f"http://{host.address}:8000/health", timeout=5).status_code == 200

    commit_unhealthy_release(repo, "1.1.0")
    failed = deployer("deploy", repo, "--inventory", inventory, "--health-deadline", "6")
    assert failed.result.returncode == 1 and failed.record["error_code"] == "DEPLOY_001"
    assert {line["host"] for line in failed.record["logs"]} == {"web1"}  # web2 untouched
    for host in hosts:
        assert (deployer.files(host) / "current").resolve().name == first.record["release"]
        assert httpx.get(f"http://{host.address}:8000/health", timeout=5).status_code == 200


def test_full_disk_fails_cleanly(deployer: Deployer, host_factory: HostFactory, repo: Path) -> None:
    # Too little room from the start: refused at Validation, nothing made.
    tiny = deployer.small_disk("tiny", 64)
    host = host_factory.create("tiny")
    refused = deployer.to("deploy", repo, host)
    assert refused.result.returncode == 1 and refused.record["error_code"] == "DEPLOY_004"
    assert refused.step("Validation")["status"] == "failed"
    assert list(tiny.iterdir()) == []

    # The disk fills up during an upgrade: the release in service keeps serving.
    disk = deployer.small_disk("full", 400)
    host = host_factory.create("full")
    inventory = str(deployer.inventory([host], nocode_app_min_free_mb=1))
    first = deployer("deploy", repo, "--inventory", inventory)
    assert first.result.returncode == 0, first.output
    subprocess.run(["fallocate", "-l", f"{_free_mb(disk) - 20}M", str(disk / "filler")], check=True)
    commit_version(repo, crm_spec("1.1.0"))
    full = deployer("deploy", repo, "--inventory", inventory)
    assert full.result.returncode == 1, full.output
    assert full.record["error_code"] == "DEPLOY_004", full.record["error_message"]
    assert (disk / "current").resolve().name == first.record["release"]
    assert [path.name for path in (disk / "releases").iterdir()] == [first.record["release"]]
    assert httpx.get(f"http://{host.address}:8000/health", timeout=5).status_code == 200


def test_unreachable_host_wrong_host_key_and_wrong_client_key(
    deployer: Deployer, host_factory: HostFactory, repo: Path
) -> None:
    # A database URL given to nocode is a secret: no Ansible process may show it.
    secret = "postgresql://app:" + os.urandom(8).hex() + "@/app"
    with ProcessWatch(secret) as watch:
        nobody = deployer(
            "deploy",
            repo,
            "--host",
            "root@127.0.0.1:9",
            "--root",
            "/tmp/nc-none",
            env={**os.environ, "NOCODE_DEPLOY_DATABASE_URL": secret},
        )
    assert watch.seen == [] and watch.ansible_processes > 0
    assert secret not in nobody.output and secret not in str(nobody.record)
    assert nobody.result.returncode == 1
    assert nobody.record["error_code"] == "DEPLOY_003"
    assert "Connection refused" in nobody.result.stderr
    assert [line["status"] for line in nobody.record["logs"]][-1] == "unreachable"

    host = host_factory.create("crm")
    impostor = subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(deployer.work / "impostor")],
        check=True,
    )
    assert impostor.returncode == 0
    other_key = (deployer.work / "impostor.pub").read_text().split()[:2]
    deployer.known_hosts.write_text(f"{host.address} {' '.join(other_key)}\n")
    wrong_host_key = deployer.to("deploy", repo, host)
    assert wrong_host_key.result.returncode == 1
    assert wrong_host_key.record["error_code"] == "DEPLOY_003"
    assert "host key does not match" in wrong_host_key.result.stderr
    assert not Path(deployer.root(host)).exists()  # nothing ran on the host

    deployer.known_hosts.write_text(host.known_hosts_line() + "\n")
    wrong_key = deployer.to("deploy", repo, host, "--key", str(deployer.work / "impostor"))
    assert wrong_key.result.returncode == 1 and wrong_key.record["error_code"] == "DEPLOY_003"
    assert "Permission denied" in wrong_key.result.stderr
    assert not Path(deployer.root(host)).exists()


def _free_mb(path: Path) -> int:
    stats = os.statvfs(path)
    return stats.f_bavail * stats.f_frsize // (1024 * 1024)
