"""Control plane benchmark: `POST /auth/login/` (bounded by the argon2id hash) and an
authenticated `GET /users/profile/`, against `nocode serve` with its default settings.

    .venv/bin/python -m bench.control_plane [--duration 10] [--runs 3] [--workers 1]

Prints a markdown table (median of the runs) and writes bench/results/control_plane.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

from argon2 import PasswordHasher

from bench.harness.config import HOST, RESULTS_DIR, WORK_DIR, Settings
from bench.harness.http import post_json
from bench.harness.pg import start_postgres
from bench.harness.procs import stop
from bench.harness.served import serve_control_plane
from bench.harness.wrk import Request, WrkResult, run_wrk

FOUNDATION = "/api/v1/foundation"
CREDENTIALS = {"email": "bench@example.com", "password": "a benchmark passphrase"}
PORT = 18_090


def _hash_cost_ms(samples: int = 20) -> float:
    """CPU time (all threads: argon2 runs its lanes in parallel) of one argon2id
    verification with the service's parameters."""
    hasher = PasswordHasher()
    digest = hasher.hash(CREDENTIALS["password"])
    started = time.process_time()
    for _ in range(samples):
        hasher.verify(digest, CREDENTIALS["password"])
    return (time.process_time() - started) * 1000 / samples


def _measure(
    base: str, request: Request, headers: dict[str, str], args: argparse.Namespace
) -> list[WrkResult]:
    settings = Settings(connections=32, threads=2)
    run_wrk(base, request, headers, settings, duration=3, nonce="warmup")
    return [
        run_wrk(base, request, headers, settings, duration=args.duration, nonce=f"r{run}")
        for run in range(args.runs)
    ]


def _row(name: str, results: list[WrkResult]) -> dict[str, float | int | str]:
    return {
        "request": name,
        "rps": round(statistics.median(r.rps for r in results), 1),
        "p50_ms": round(statistics.median(r.p50_ms for r in results), 2),
        "p95_ms": round(statistics.median(r.p95_ms for r in results), 2),
        "p99_ms": round(statistics.median(r.p99_ms for r in results), 2),
        "errors": sum(r.non2xx + r.socket_errors + r.timeouts for r in results),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="nocode serve --workers"
    )
    args = parser.parse_args()

    pg = start_postgres(WORK_DIR / "cp-pgdata")
    pg.recreate_database("bench_control_plane")
    server = serve_control_plane(
        pg.uri("bench_control_plane"),
        PORT,
        args.workers,
        WORK_DIR / "cp-data",
        WORK_DIR / "control_plane.log",
    )
    base = f"http://{HOST}:{PORT}"
    try:
        post_json(
            f"{base}{FOUNDATION}/auth/register/client/", {**CREDENTIALS, "first_name": "Bench"}
        )
        access = post_json(f"{base}{FOUNDATION}/auth/login/", CREDENTIALS)["access"]
        login = Request("POST", f"{FOUNDATION}/auth/login/", json.dumps(CREDENTIALS))
        profile = Request("GET", f"{FOUNDATION}/users/profile/")
        # Profile first: logins still being hashed when wrk stops would slow it down.
        rows = [
            _row(
                "GET /users/profile/",
                _measure(base, profile, {"Authorization": f"Bearer {access}"}, args),
            ),
            _row("POST /auth/login/", _measure(base, login, {}, args)),
        ]
    finally:
        stop(server)
    hash_ms = _hash_cost_ms()
    print(f"nocode serve --workers {args.workers}, wrk -t2 -c32, {args.runs} x {args.duration} s")
    cores = os.cpu_count() or 1
    ceiling = cores * 1000 / hash_ms
    print(f"argon2id verify: {hash_ms:.1f} ms of CPU: at most ~{ceiling:.1f} logins/s on {cores}")
    print("| request | req/s | p50 ms | p95 ms | p99 ms | errors |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for row in rows:
        print("| " + " | ".join(str(value) for value in row.values()) + " |")
    RESULTS_DIR.mkdir(exist_ok=True)
    report = {"workers": args.workers, "argon2_verify_ms": hash_ms, "rows": rows}
    (RESULTS_DIR / "control_plane.json").write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
