"""The engine's hot path: `run_inline` of a 5-node workflow (trigger, condition,
transform x3, as a webhook runs it), every node's input and output stored, N concurrent
callers in one process on one embedded PostgreSQL. Prints executions/s and latency
percentiles (with --rate: an open loop at that offered rate).

`python -m bench.engine_inline [--seconds 10] [--concurrency 32] [--rate 250]`"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import psycopg
from psycopg.types.json import Jsonb

from control_plane.automation.services.executions import run_inline
from control_plane.config import Settings
from control_plane.db import create_pool
from control_plane.migrate import migrate
from platform_support.postgres import embedded_server, ensure_database

NODES = [
    ("Webhook", "trigger", {}),
    ("Check", "condition", {"condition": "input_data.amount > 100"}),
    ("Shape", "transform", {"output": {"client": "{{input_data.email}}", "big": "{{result}}"}}),
    ("Price", "transform", {"output": {"total": "{{input_data.amount * 1.2}}"}}),
    ("Reply", "transform", {"output": {"ok": True, "total": "{{total}}"}}),
]


def workflow(url: str) -> uuid.UUID:
    """An organisation, a project and the workflow, written directly."""
    with psycopg.connect(url, autocommit=True) as connection:
        organization = connection.execute(
            "INSERT INTO organizations (name) VALUES ('Bench') RETURNING id"
        ).fetchone()[0]  # type: ignore[index]
        project = connection.execute(
            "INSERT INTO studio_projects (organization_id, name, spec)"
            " VALUES (%s, 'Bench', '{}') RETURNING id",
            (organization,),
        ).fetchone()[0]  # type: ignore[index]
        workflow_id = connection.execute(
            "INSERT INTO automation_workflows (organization_id, project_id, name, trigger_type)"
            " VALUES (%s, %s, 'Bench', 'webhook') RETURNING id",
            (organization, project),
        ).fetchone()[0]  # type: ignore[index]
        ids = []
        for name, node_type, config in NODES:
            ids.append(connection.execute(
                "INSERT INTO automation_nodes (workflow_id, name, node_type, config)"
                " VALUES (%s, %s, %s, %s) RETURNING id",
                (workflow_id, name, node_type, Jsonb(config)),
            ).fetchone()[0])  # type: ignore[index]  # fmt: skip
        for source, target in zip(ids, ids[1:], strict=False):
            connection.execute(
                "INSERT INTO automation_edges (workflow_id, source_node_id, target_node_id)"
                " VALUES (%s, %s, %s)",
                (workflow_id, source, target),
            )
        return uuid.UUID(str(workflow_id))


async def measure(
    url: str, workflow_id: uuid.UUID, seconds: float, concurrency: int, rate: float | None
) -> None:
    """Closed loop (each caller starts again at once), or `rate` executions/s in all."""
    os.environ.setdefault("JWT_SECRET", "x" * 40)
    os.environ.setdefault("NOCODE_SECRET_KEY", "y" * 44)
    settings = Settings(database_url=url, db_pool_max_size=max(concurrency, 2))  # type: ignore[call-arg]
    latencies: list[float] = []
    async with create_pool(settings) as pool:
        stop = time.monotonic() + seconds

        async def caller(index: int) -> None:
            due = time.monotonic()
            while time.monotonic() < stop:
                if rate:
                    due += concurrency / rate
                    await asyncio.sleep(max(due - time.monotonic(), 0))
                began = time.perf_counter()
                result = await run_inline(
                    pool, settings, workflow_id, trigger_type="webhook",
                    input_data={"amount": index, "email": f"c{index}@example.com"},
                    execution_context={}, timeout_seconds=30,
                )  # fmt: skip
                assert result.status == "completed", result
                latencies.append(time.perf_counter() - began)

        began = time.monotonic()
        await asyncio.gather(*(caller(i) for i in range(concurrency)))
        elapsed = time.monotonic() - began
    cuts = statistics.quantiles(latencies, n=100)
    print(f"{len(latencies)} executions in {elapsed:.1f} s: {len(latencies) / elapsed:.0f}/s,"
          f" p50 {cuts[49] * 1000:.1f} ms, p95 {cuts[94] * 1000:.1f} ms,"
          f" p99 {cuts[98] * 1000:.1f} ms at {concurrency} callers")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rate", type=float, help="executions/s to offer (default: closed loop)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, embedded_server(Path(folder) / "pg") as server:
        url = ensure_database(server, "bench_engine")
        migrate(url)
        workflow_id = workflow(url)
        with psycopg.connect(url) as connection:
            rows = connection.execute("SELECT count(*) FROM run_steps").fetchone()
        asyncio.run(measure(url, workflow_id, args.seconds, args.concurrency, args.rate))
        with psycopg.connect(url) as connection:
            steps = connection.execute("SELECT count(*) FROM run_steps").fetchone()
            print(f"steps stored: {steps[0] - rows[0]}")  # type: ignore[index]


if __name__ == "__main__":
    main()
