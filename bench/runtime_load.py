"""Studio and Runtime list endpoints while the platform generates and deploys: their
latency at 16 connections, idle and while two generations of a project at the seed
limits (100 tables x 50 fields) and one deployment of the CRM run.

    .venv/bin/python -m bench.runtime_load [--duration 10] [--tables 100] [--fields 50]

One `nocode serve` (embedded PostgreSQL, in-process job worker, two server processes on
this machine's two cores), set up through its own API by `nocode demo`'s walk (the CRM
designed, published, generated and deployed to the local target). For each endpoint: a
wrk run with nothing else going on, then one started with the three jobs. Prints a
markdown table (p50, p95, p99, requests/s) and how long the jobs took.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from bench.harness.config import Settings
from bench.harness.wrk import Request, WrkResult, run_wrk
from control_plane.runtime import paths
from deployment.local import remove_local
from generator.resources import specs_dir
from nocode.demo import Platform, walk_through
from platform_support.postgres import embedded_server
from tests.conftest import fresh_database, traversable_dir
from tests.control_plane.conftest import Api, serve
from tests.control_plane.runtime.published import publish
from tests.generator.large_spec import large_spec

ENDPOINTS = {
    "GET /studio/projects/": "/api/v1/studio/projects/",
    "GET /runtime/apps/": "/api/v1/runtime/apps/",
    "GET /runtime/deployment-logs/": "/api/v1/runtime/deployment-logs/",
}
PASSWORD = "a-bench-password"


def _start_jobs(platform: Platform, large_project: str, crm_app: str) -> list[str]:
    """Two generations of the large project, one deployment of the CRM: what to wait for."""
    waits = []
    for _ in range(2):
        body = {"project": large_project, "name": "Large"}
        created = platform.call("POST", "/runtime/apps/", 201, json=body)
        waits.append(f"/runtime/apps/{created['id']}/")
    deploy = {"force_redeploy": True}
    started = platform.call("POST", f"/runtime/apps/{crm_app}/deploy/", 202, json=deploy)
    waits.append(f"/runtime/deployment-logs/{started['deployment_id']}/")
    return waits


def _finished(answer: dict[str, Any]) -> bool:
    return answer["status"] not in ("draft", "pending", "running")


def _wait(platform: Platform, waits: list[str]) -> None:
    for path in waits:
        while not _finished(platform.call("GET", path)):
            time.sleep(0.2)


def _row(label: str, result: WrkResult) -> str:
    return (
        f"| {label} | {result.p50_ms:.1f} | {result.p95_ms:.1f} | {result.p99_ms:.1f} "
        f"| {result.rps:.0f} | {result.non2xx} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--tables", type=int, default=100)
    parser.add_argument("--fields", type=int, default=50)
    args = parser.parse_args()
    settings = Settings(connections=16, threads=2)
    with traversable_dir("nocode-bench-") as folder, embedded_server(folder / "pg") as pg_url:
        data_dir = folder / "data"
        server = serve(fresh_database(pg_url), None, data_dir, workers=2)
        try:
            demo = walk_through(
                server.base_url, PASSWORD, specs_dir() / "gestion_client.yaml", print
            )
            platform = Platform(server.base_url)
            platform.sign_in(PASSWORD)
            api = Api(server, None)  # type: ignore[arg-type]  # no invitation is sent
            organization = platform.call("GET", "/foundation/organizations/")["results"][0]["id"]
            document = large_spec(args.tables, args.fields).model_dump(mode="json")
            large_project = publish(api, organization, document)
            headers = {"Authorization": str(platform.http.headers["Authorization"])}
            print(f"\n16 connections, {args.duration} s each; jobs: 2 generations of "
                  f"{args.tables} x {args.fields}, 1 deployment of the CRM\n")  # fmt: skip
            print("| endpoint | p50 ms | p95 ms | p99 ms | req/s | non-2xx |")
            print("| --- | ---: | ---: | ---: | ---: | ---: |")
            for label, path in ENDPOINTS.items():
                request = Request("GET", path)
                idle = run_wrk(server.base_url, request, headers, settings,
                               duration=args.duration, nonce="idle")  # fmt: skip
                print(_row(f"{label} idle", idle), flush=True)
                began = time.monotonic()
                waits = _start_jobs(platform, large_project, demo.app_id)
                busy = run_wrk(server.base_url, request, headers, settings,
                               duration=args.duration, nonce="busy")  # fmt: skip
                _wait(platform, waits)
                print(_row(f"{label} during the jobs", busy), flush=True)
                print(f"| (the 3 jobs took {time.monotonic() - began:.1f} s) | | | | | |")
            platform.http.close()
        finally:
            server.stop()
            target = paths.local_target_dir(data_dir)
            for instance in (target / "instances").glob("*"):
                remove_local(target, instance.name)


if __name__ == "__main__":
    main()
