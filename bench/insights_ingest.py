"""Insights ingestion benchmark: single-event `POST /api/v1/insights/track/` (req/s,
p50/p95/p99 at 32 connections) and `POST /track/batch/` of 1,000 events (events/s),
against `nocode serve` with its default settings, on the same machine as PostgreSQL and
wrk; with `GET /users/profile/` (one query, the cheapest authenticated request) measured
the same way as the reference of what the machine gives at that moment.

    .venv/bin/python -m bench.insights_ingest [--duration 10] [--runs 3] [--workers 2]

Prints a markdown table (median of the runs) and writes bench/results/insights_ingest.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys

import psycopg

from bench.harness import cpu
from bench.harness.config import HOST, RESULTS_DIR, WORK_DIR, Settings
from bench.harness.http import post_json
from bench.harness.pg import start_postgres
from bench.harness.procs import stop
from bench.harness.served import serve_control_plane
from bench.harness.wrk import Request, WrkResult, run_wrk

FOUNDATION = "/api/v1/foundation"
TRACK = "/api/v1/insights/track/"
CREDENTIALS = {"email": "bench@example.com", "password": "a benchmark passphrase"}
PORT = 18_091
BATCH = 1000
DATABASE = "bench_insights"


def _event(organization: str, index: int) -> dict[str, object]:
    """One of a few names, pages and visitors, as a site's page views would be."""
    return {
        "event": ("page_view", "click", "signup")[index % 3],
        "organization_id": organization,
        "distinct_id": f"visitor-{index % 50}",
        "properties": {"path": f"/page/{index % 20}"},
    }


def _measure(
    base: str,
    request: Request,
    headers: dict[str, str],
    connections: int,
    args: argparse.Namespace,
    server_pid: int,
) -> tuple[list[WrkResult], float]:
    """The runs, and the server's CPU milliseconds per request over them (its processes'
    own, whatever else the machine runs)."""
    settings = Settings(connections=connections, threads=2)
    run_wrk(base, request, headers, settings, duration=3, nonce="warmup")
    before = cpu.tree_seconds([server_pid])
    results = [
        run_wrk(base, request, headers, settings, duration=args.duration, nonce=f"r{run}")
        for run in range(args.runs)
    ]
    requests = sum(r.requests for r in results) or 1
    return results, (cpu.tree_seconds([server_pid]) - before) * 1000 / requests


def _row(
    name: str, connections: int, measured: tuple[list[WrkResult], float], events: int
) -> dict[str, object]:
    results, cpu_ms = measured
    rps = statistics.median(r.rps for r in results)
    return {
        "request": name,
        "connections": connections,
        "req_s": round(rps, 1),
        "events_s": round(rps * events),
        "p50_ms": round(statistics.median(r.p50_ms for r in results), 2),
        "p95_ms": round(statistics.median(r.p95_ms for r in results), 2),
        "p99_ms": round(statistics.median(r.p99_ms for r in results), 2),
        "server_cpu_ms_per_request": round(cpu_ms, 3),
        "errors": sum(r.non2xx + r.socket_errors + r.timeouts for r in results),
    }


def _stored(database_url: str) -> int:
    with psycopg.connect(database_url) as connection:
        row = connection.execute("SELECT count(*) FROM insights_events").fetchone()
    return int(row[0]) if row else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--batch-connections", type=int, default=8)
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="nocode serve --workers"
    )
    args = parser.parse_args()

    pg = start_postgres(WORK_DIR / "insights-pgdata")
    pg.recreate_database(DATABASE)
    server = serve_control_plane(
        pg.uri(DATABASE),
        PORT,
        args.workers,
        WORK_DIR / "insights-data",
        WORK_DIR / "insights_ingest.log",
        access_token_minutes="120",
    )
    base = f"http://{HOST}:{PORT}"
    try:
        post_json(f"{base}{FOUNDATION}/auth/register/client/", {**CREDENTIALS, "first_name": "B"})
        access = post_json(f"{base}{FOUNDATION}/auth/login/", CREDENTIALS)["access"]
        headers = {"Authorization": f"Bearer {access}"}
        organization = post_json(f"{base}{FOUNDATION}/organizations/", {"name": "Bench"}, headers)[
            "id"
        ]
        one = Request("POST", TRACK, json.dumps(_event(organization, 0)))
        batch_body = {"events": [_event(organization, index) for index in range(BATCH)]}
        batch_file = WORK_DIR / "insights_batch.json"  # too long for wrk's command line
        batch_file.write_text(json.dumps(batch_body, separators=(",", ":")))
        batch = Request("POST", f"{TRACK}batch/", f"@{batch_file}")
        profile = Request("GET", f"{FOUNDATION}/users/profile/")
        single, many = args.connections, args.batch_connections
        rows = [  # the profile: the cheapest authenticated request, on the same machine state
            _row(
                "GET /users/profile/",
                single,
                _measure(base, profile, headers, single, args, server.pid),
                1,
            ),
            _row("POST /track/", single, _measure(base, one, headers, single, args, server.pid), 1),
            _row(
                f"POST /track/batch/ ({BATCH} events)",
                many,
                _measure(base, batch, headers, many, args, server.pid),
                BATCH,
            ),
        ]
        stored = _stored(pg.uri(DATABASE))
    finally:
        stop(server)
    print(f"nocode serve --workers {args.workers}, wrk -t2, {args.runs} x {args.duration} s")
    print(f"events stored in all: {stored}")
    print(
        "| request | connections | req/s | events/s | p50 ms | p95 ms | p99 ms "
        "| server CPU ms/request | errors |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for row in rows:
        print("| " + " | ".join(str(value) for value in row.values()) + " |")
    RESULTS_DIR.mkdir(exist_ok=True)
    report = {"workers": args.workers, "stored": stored, "rows": rows}
    (RESULTS_DIR / "insights_ingest.json").write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
