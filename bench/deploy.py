"""Deployment benchmark: a first deployment and a no-change re-run of the CRM app, to one
host and to four hosts at once (`--batch-size 4`), with `nocode deploy` over real SSH.

    .venv/bin/python -m bench.deploy [--reruns 3]

The hosts are the test suite's (tests/deploy/hosts.py): network namespaces with their own
sshd, sharing this machine's files, so the system packages are already there. SSH
pipelining and ControlPersist are on (ansible/ansible.cfg, deployment/runner.py). Prints a
markdown table to stdout and progress to stderr. See bench/README.md.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from tests.deploy.deployer import commit_version, crm_spec
from tests.deploy.hosts import HostFactory, TestHost


def _deploy(repo: Path, inventory: Path, factory: HostFactory, work: Path, hosts: int) -> float:
    started = time.perf_counter()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "nocode",
            "deploy",
            str(repo),
            "--inventory",
            str(inventory),
            "--key",
            str(factory.client_key),
            "--known-hosts",
            str(work / "known_hosts"),
            "--batch-size",
            str(hosts),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"deployment failed:\n{result.stderr}")
    return elapsed


def _inventory(path: Path, hosts: list[TestHost], roots: Path) -> Path:
    entries = {
        host.name: {
            "ansible_host": host.address,
            "ansible_user": host.user,
            "nocode_app_root": str(roots / host.name),
        }
        for host in hosts
    }
    path.write_text(yaml.safe_dump({"nocode_targets": {"hosts": entries}}))
    return path


def measure(count: int, reruns: int, repo: Path) -> tuple[float, float]:
    work = Path(tempfile.mkdtemp(prefix="nocode-bench-"))
    roots = Path(tempfile.mkdtemp(prefix="nc-", dir="/tmp"))
    roots.chmod(0o755)
    try:
        with HostFactory(work) as factory:
            hosts = [factory.create(f"bench{number}") for number in range(count)]
            inventory = _inventory(work / "inventory.yml", hosts, roots)
            print(f"... {count} host(s): first deployment", file=sys.stderr)
            first = _deploy(repo, inventory, factory, work, count)
            print(f"... {count} host(s): {reruns} no-change re-runs", file=sys.stderr)
            again = [_deploy(repo, inventory, factory, work, count) for _ in range(reruns)]
    finally:
        shutil.rmtree(roots, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)
    return first, statistics.median(again)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reruns", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        repo = Path(folder) / "gestion_client"
        commit_version(repo, crm_spec("1.0.0"))
        results = {count: measure(count, args.reruns, repo) for count in (1, 4)}
    print("| hosts | first deployment | no-change re-run (median) |")
    print("| --- | --- | --- |")
    for count, (first, again) in results.items():
        print(f"| {count} | {first:.1f} s | {again:.1f} s |")
    print(f"\nfour hosts / one host, re-run: {results[4][1] / results[1][1]:.2f}x")


if __name__ == "__main__":
    main()
