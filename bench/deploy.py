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
import sys
import tempfile
import time
from pathlib import Path

from tests.deploy.deployer import Deployer, commit_version, crm_spec
from tests.deploy.hosts import HostFactory


def _timed(deployer: Deployer, repo: Path, inventory: Path, batch: int) -> float:
    started = time.perf_counter()
    run = deployer("deploy", repo, "--inventory", str(inventory), "--batch-size", str(batch))
    elapsed = time.perf_counter() - started
    if run.result.returncode != 0:
        raise SystemExit(f"deployment failed:\n{run.result.stderr}")
    return elapsed


def measure(count: int, reruns: int, repo: Path) -> tuple[float, float]:
    work = Path(tempfile.mkdtemp(prefix="nocode-bench-"))
    roots = Path(tempfile.mkdtemp(prefix="nc-", dir="/tmp"))
    roots.chmod(0o755)
    try:
        with HostFactory(work) as factory:
            deployer = Deployer(factory, work, roots)
            inventory = deployer.inventory([factory.create(f"bench{n}") for n in range(count)])
            print(f"... {count} host(s): first deployment", file=sys.stderr)
            first = _timed(deployer, repo, inventory, count)
            print(f"... {count} host(s): {reruns} no-change re-runs", file=sys.stderr)
            again = [_timed(deployer, repo, inventory, count) for _ in range(reruns)]
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
