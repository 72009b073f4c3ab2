"""From `POST /api/v1/runtime/apps/` to the app's committed repository, through a real
`nocode serve` (embedded PostgreSQL, in-process worker), for the CRM and for a project at
the seed limits (100 tables x 50 fields).

    .venv/bin/python bench/app_generation.py [--runs 3] [--tables 100] [--fields 50]

Each run makes a new app (a first generation: plan, render, format, write, git commit)
on the same embedded PostgreSQL as the tests, and polls the app every 50 ms until it is
`generated`. Prints the median wall time, and the median time the job itself ran (its
attempt's start to end, from `job_attempts`).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from platform_support.postgres import embedded_server  # noqa: E402
from tests.conftest import fresh_database, traversable_dir  # noqa: E402
from tests.control_plane.conftest import Api, serve  # noqa: E402
from tests.control_plane.runtime.published import crm_document, publish, runtime_client  # noqa: E402
from tests.generator.large_spec import large_spec  # noqa: E402


def _one(
    api: Api, runtime: httpx.Client, headers: dict[str, str], project: str
) -> tuple[float, float]:
    started = time.perf_counter()
    created = runtime.post("/apps/", headers=headers, json={"project": project, "name": "Bench"})
    assert created.status_code == 201, created.text
    app_id = created.json()["id"]
    while True:
        app = runtime.get(f"/apps/{app_id}/", headers=headers).json()
        if app["status"] != "draft":
            break
        time.sleep(0.05)
    wall = time.perf_counter() - started
    assert app["status"] == "generated", app
    job_seconds = None
    while job_seconds is None:  # the attempt is closed just after the app is updated
        [(job_seconds,)] = api.query(
            "SELECT extract(epoch FROM finished_at - started_at)::float FROM job_attempts"
            " WHERE job_id = %s",
            created.json()["generation_task_id"],
        )
        time.sleep(0.01)
    return wall, float(job_seconds)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tables", type=int, default=100)
    parser.add_argument("--fields", type=int, default=50)
    args = parser.parse_args()
    large: dict[str, Any] = large_spec(args.tables, args.fields).model_dump(mode="json")
    cases = {"CRM (3 tables)": crm_document(), f"{args.tables} x {args.fields}": large}
    with traversable_dir("nocode-bench-") as folder, embedded_server(folder / "pg") as pg_url:
        server = serve(fresh_database(pg_url), None, folder / "data")
        try:
            api = Api(server, None)  # type: ignore[arg-type]  # no invitation is sent
            owner = api.new_user("bench")
            organization = api.new_organization(owner)
            print(f"{os.cpu_count()} CPUs; median of {args.runs} runs")
            print("| project | POST /apps/ -> committed (s) | job ran (s) |")
            print("| --- | ---: | ---: |")
            with runtime_client(api) as runtime:
                for label, document in cases.items():
                    project = publish(api, organization, document)
                    runs = [_one(api, runtime, owner.headers, project) for _ in range(args.runs)]
                    wall = statistics.median(run[0] for run in runs)
                    job = statistics.median(run[1] for run in runs)
                    print(f"| {label} | {wall:.2f} | {job:.2f} |", flush=True)
        finally:
            server.stop()


if __name__ == "__main__":
    main()
