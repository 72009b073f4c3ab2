"""PaaS provisioning benchmark (issue 18): through the API of `nocode serve`, the time from
`POST /api/deploy` to `running` for the CRM on an LXC container (the base container made
first when `--cold`, then warm) and on a VM, the time of `DELETE`, and how many containers
with the CRM one machine holds while each still answers its health check under 200 ms.

    .venv/bin/python -m bench.paas_provisioning [--runs 3] [--cold] [--vm] [--density 8]

Machines get the bench's own names (`ncb-`), bridge (`ncbbr0`, 10.215.0.1/24), LXC path
and VM network, so a demo control plane or the tests never meet them; every machine the bench
made is deleted at the end. Prints a markdown table, writes bench/results/paas_provisioning.json.
No peer: Coolify, the PaaS of the field, needs a Docker engine, and none runs here.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.harness.config import RESULTS_DIR, WORK_DIR
from bench.harness.pg import start_postgres
from tests.control_plane.conftest import Inbox, User, serve
from tests.control_plane.paas.conftest import Paas
from tests.deploy.deployer import commit_version, crm_spec

DATABASE = "bench_paas"
LXC_PATH = Path("/var/lib/nocode-bench/lxc")
BASE = "ncb-base"
SETTINGS = {
    "paas_machine_prefix": "ncb-",
    "paas_lxc_bridge": "ncbbr0",
    "paas_lxc_network": "10.215.0.1/24",
    "paas_lxc_path": str(LXC_PATH),
    "paas_lxc_base": BASE,
    "paas_vm_bridge": "ncbvm0",
    "paas_vm_network": "10.216.0.1/24",
}
CONTAINER = {"cores": 1, "memory": 512, "disk": 5}
VM = {"cores": 2, "memory": 1024, "disk": 10}
HEALTHY_MS = 200.0


@dataclass
class Timed:
    what: str
    seconds: list[float]

    def row(self) -> str:
        values = ", ".join(f"{second:.1f}" for second in self.seconds)
        return f"| {self.what} | {statistics.median(self.seconds):.1f} | {values} |"


def _deploy(
    paas: Paas, owner: User, name: str, kind: str, source: str, resources: dict[str, int]
) -> tuple[str, float]:
    """(the deployment's id, seconds from POST to `running`); exits on a failed deployment."""
    started = time.perf_counter()
    body = {"name": name, "deployment_type": kind, "framework": "nocode",
            "git_url": source, "resources": resources}  # fmt: skip
    response = paas.deploy(owner, body)
    assert response.status_code == 202, response.text
    deployment_id = response.json()["deployment"]["id"]
    deployment = paas.wait(owner, deployment_id, timeout=1800)
    seconds = time.perf_counter() - started
    if deployment["status"] != "running":
        sys.exit(f"{name}: {deployment['status']}: {deployment['error_message']}")
    print(f"{name} on {kind}: running after {seconds:.1f} s", file=sys.stderr)
    return deployment_id, seconds


def _delete(paas: Paas, owner: User, deployment_id: str) -> float:
    started = time.perf_counter()
    response = paas.request("DELETE", f"/deployments/{deployment_id}", owner)
    assert response.status_code == 200, response.text
    return time.perf_counter() - started


def _health_ms(url: str, probes: int = 5) -> float:
    """The slowest of `probes` GET /health, in ms (an error counts as infinitely slow)."""
    slowest = 0.0
    for _ in range(probes):
        started = time.perf_counter()
        try:
            ok = httpx.get(f"{url}/health", timeout=5).status_code == 200
        except httpx.TransportError:
            ok = False
        slowest = max(slowest, (time.perf_counter() - started) * 1000 if ok else float("inf"))
    return slowest


def _rss_mb(name: str) -> float:
    """The container's processes' own memory (its cgroup's rss: the page cache, shared with
    the host and reclaimable, left out), in MB."""
    stat = subprocess.run(
        ["lxc-cgroup", "-P", str(LXC_PATH), "-n", name, "memory.stat"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    rss = next(line.split()[1] for line in stat.splitlines() if line.startswith("total_rss "))
    return int(rss) / 2**20


def _density(paas: Paas, owner: User, source: str, count: int) -> dict[str, Any]:
    """Deploys `count` containers one after the other; after each, every container's slowest
    health check. Stops early once one answers slower than 200 ms. Deletes them all."""
    deployed: list[dict[str, Any]] = []
    steps = []
    try:
        for number in range(count):
            deployment_id, _ = _deploy(paas, owner, f"density-{number}", "lxc", source, CONTAINER)
            deployed.append(paas.deployment(owner, deployment_id))
            slowest = max(_health_ms(deployment["access_url"]) for deployment in deployed)
            steps.append({"containers": len(deployed), "slowest_health_ms": round(slowest, 1)})
            print(f"{len(deployed)} containers: slowest health {slowest:.1f} ms", file=sys.stderr)
            if slowest > HEALTHY_MS:
                break
        time.sleep(30)  # the apps idle, as they would between requests
        names = [f"{SETTINGS['paas_machine_prefix']}{row['vm_id']}" for row in deployed]
        rss = [_rss_mb(name) for name in names]
    finally:
        for deployment in deployed:
            _delete(paas, owner, deployment["id"])
    healthy = [step["containers"] for step in steps if step["slowest_health_ms"] <= HEALTHY_MS]
    return {
        "deployed": len(deployed),
        "healthy_under_200ms": max(healthy, default=0),
        "steps": steps,
        "container_rss_mb": round(statistics.mean(rss), 1),
        "fit_in_24gb_by_rss": int(24 * 1024 / max(statistics.mean(rss), 1)),
    }


def _forget_base() -> None:
    """The cold case: no base container (debootstrap's own cache under /var/cache/lxc stays)."""
    if (LXC_PATH / BASE).exists():
        subprocess.run(["lxc-destroy", "-P", str(LXC_PATH), "-n", BASE, "-f", "-s"], check=False)
        shutil.rmtree(LXC_PATH / BASE, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="warm LXC deployments (and deletes)")
    parser.add_argument("--cold", action="store_true", help="first make the base container again")
    parser.add_argument("--vm", action="store_true", help="also one VM (minutes under emulation)")
    parser.add_argument("--density", type=int, default=0, help="containers to hold at once")
    args = parser.parse_args()

    sources = WORK_DIR / "paas-sources"
    shutil.rmtree(sources, ignore_errors=True)
    sources.mkdir(parents=True)
    commit_version(sources / "crm", crm_spec())
    source = f"file://{sources / 'crm'}"
    pg = start_postgres(WORK_DIR / "paas-pg")
    pg.recreate_database(DATABASE)
    server = serve(pg.uri(DATABASE), None, WORK_DIR / "paas-serve", workers=1,
                   paas_source_roots=json.dumps([str(sources)]), **SETTINGS)  # fmt: skip
    paas = Paas(server, Inbox())
    timings: list[Timed] = []
    results: dict[str, Any] = {"settings": SETTINGS, "container": CONTAINER, "vm": VM}
    try:
        owner = paas.api.new_user("bench")
        paas.api.new_organization(owner, "Bench")  # its OWNER may deploy
        if args.cold:
            _forget_base()
            deployment_id, seconds = _deploy(paas, owner, "cold", "lxc", source, CONTAINER)
            timings.append(Timed("LXC: POST to running, base container made first", [seconds]))
            timings.append(Timed("LXC: DELETE", [_delete(paas, owner, deployment_id)]))
        warm, deletes = [], []
        for run in range(args.runs):
            deployment_id, seconds = _deploy(paas, owner, f"warm-{run}", "lxc", source, CONTAINER)
            warm.append(seconds)
            deletes.append(_delete(paas, owner, deployment_id))
        if warm:
            timings.append(Timed("LXC: POST to running, warm base", warm))
            timings.append(Timed("LXC: DELETE", deletes))
        if args.vm:
            deployment_id, seconds = _deploy(paas, owner, "vm", "vm", source, VM)
            timings.append(Timed("VM: POST to running (software emulation)", [seconds]))
            timings.append(Timed("VM: DELETE", [_delete(paas, owner, deployment_id)]))
        if args.density:
            results["density"] = _density(paas, owner, source, args.density)
    finally:
        server.stop()  # PostgreSQL stops when the bench exits
    print("| what | median s | runs (s) |\n| --- | --- | --- |")
    print("\n".join(timed.row() for timed in timings))
    if "density" in results:
        print(json.dumps(results["density"], indent=2))
    results["timings"] = {timed.what: timed.seconds for timed in timings}
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / "paas_provisioning.json").write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
