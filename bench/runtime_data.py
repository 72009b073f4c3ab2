"""Runtime data through the platform: reads the control plane forwards to a deployed app,
against the same reads sent to the app directly.

    .venv/bin/python -m bench.runtime_data [--duration 10] [--runs 3] [--connections 16]

The app is the CRM as bench/run.py's `ours` contender generates, seeds (100,000 produits)
and serves it; the control plane is `nocode serve` on the same PostgreSQL, with the app
registered as its project's production app (tests/control_plane/runtime/
instance_fixture.py). The platform serves the same paths, so both get the same requests
(`get` and `list20` of bench/README.md), each with its own token. Prints a markdown table
(medians of the runs) and writes bench/results/runtime_data.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

from bench.harness import cpu
from bench.harness.config import HOST, RESULTS_DIR, WORK_DIR, Settings
from bench.harness.contenders.ours import JWT_SECRET, Ours
from bench.harness.pg import PgServer, start_postgres
from bench.harness.procs import spawn, stop, wait_healthy
from bench.harness.served import serve_ours
from bench.harness.wrk import Request, run_wrk
from tests.control_plane.conftest import Api, Server
from tests.control_plane.runtime.instance_fixture import register_app

APP_PORT = 18_091
PLATFORM_PORT = 18_092
KINDS = ("get", "list20")
# An authenticated request of the platform's own, to tell its share of the cost from the
# forwarding's: one token check and one query, as every forwarded request also pays.
PROFILE = "profile"
REQUESTS = {**Ours().requests(), PROFILE: Request("GET", "/api/v1/foundation/users/profile/")}


def _row(
    kind: str,
    via: str,
    url: str,
    headers: dict[str, str],
    args: argparse.Namespace,
    servers: dict[str, subprocess.Popen[bytes]],
) -> dict[str, float | int | str]:
    """wrk's figures for one request kind, and the CPU each server spent per request
    (a figure other load on the machine does not change much)."""
    settings = Settings(connections=args.connections, threads=2)
    run_wrk(url, REQUESTS[kind], headers, settings, duration=3, nonce="warmup")
    before = {name: cpu.tree_seconds([process.pid]) for name, process in servers.items()}
    results = [
        run_wrk(url, REQUESTS[kind], headers, settings, duration=args.duration, nonce=f"r{run}")
        for run in range(args.runs)
    ]
    count = sum(r.requests for r in results) or 1
    row: dict[str, float | int | str] = {
        "request": kind,
        "via": via,
        "rps": round(statistics.median(r.rps for r in results), 1),
        "p50_ms": round(statistics.median(r.p50_ms for r in results), 2),
        "p95_ms": round(statistics.median(r.p95_ms for r in results), 2),
        "p99_ms": round(statistics.median(r.p99_ms for r in results), 2),
        "errors": sum(r.non2xx + r.socket_errors + r.timeouts for r in results),
    }
    for name, process in servers.items():
        spent = cpu.tree_seconds([process.pid]) - before[name]
        row[f"{name}_cpu_ms"] = round(spent * 1000 / count, 2)
    return row


def _start_platform(pg: PgServer, workers: int) -> Server:
    database = "bench_runtime_platform"
    pg.recreate_database(database)
    data_dir = WORK_DIR / "runtime-platform"
    shutil.rmtree(data_dir, ignore_errors=True)
    env = {**os.environ, "DATABASE_URL": pg.uri(database)}
    env["JWT_SECRET"] = "bench-platform-secret-bench-platform-secret"
    log = data_dir / "serve.log"  # in the data folder, where instance_fixture finds the key
    process = spawn(
        [sys.executable, "-m", "nocode", "serve", "--port", str(PLATFORM_PORT)]
        + ["--workers", str(workers), "--data-dir", str(data_dir)],
        cwd=WORK_DIR,
        env=env,
        log=log,
    )
    base = f"http://{HOST}:{PLATFORM_PORT}"
    wait_healthy(f"{base}/health", process, started=time.perf_counter(), timeout=120)
    return Server(base, pg.uri(database), process, log)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="nocode serve --workers"
    )
    args = parser.parse_args()

    pg = start_postgres(WORK_DIR / "runtime-pgdata")
    ours = Ours()
    app = serve_ours(pg, ours, APP_PORT)
    platform: Server | None = None
    try:
        platform = _start_platform(pg, args.workers)
        api = Api(platform, inbox=None)  # type: ignore[arg-type]  # no invitations here
        owner = api.new_user("bench")
        register_app(api, api.new_organization(owner), app, secret=JWT_SECRET)
        servers = {"app": app.process, "platform": platform.process}
        rows = []
        for kind in KINDS:
            rows.append(_row(kind, "app", app.base_url, ours.headers(), args, servers))
            rows.append(_row(kind, "platform", platform.base_url, owner.headers, args, servers))
        baseline = _row(PROFILE, "platform", platform.base_url, owner.headers, args, servers)
    finally:
        if platform is not None:
            stop(platform.process)
        stop(app.process)
    print(
        f"app: python -m app serve --workers {os.environ.get('BENCH_OURS_WORKERS', '2')}; "
        f"platform: nocode serve --workers {args.workers}; "
        f"wrk -t2 -c{args.connections}, {args.runs} x {args.duration} s"
    )
    print(
        "| request | via | req/s | p50 ms | p95 ms | p99 ms | errors | CPU ms/req: app | platform |"
    )
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for row in [*rows, baseline]:
        print("| " + " | ".join(str(value) for value in row.values()) + " |")
    for direct_row, platform_row in zip(rows[::2], rows[1::2], strict=True):
        ratio = float(platform_row["rps"]) / float(direct_row["rps"])
        added = float(platform_row["p50_ms"]) - float(direct_row["p50_ms"])
        print(f"{direct_row['request']}: platform {ratio:.0%} of direct, p50 +{added:.2f} ms")
    RESULTS_DIR.mkdir(exist_ok=True)
    report = {"connections": args.connections, "workers": args.workers, "rows": [*rows, baseline]}
    (RESULTS_DIR / "runtime_data.json").write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
