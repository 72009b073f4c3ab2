"""Job queue benchmark: no-op jobs per second with 1 and 2 worker processes, and the
latency from enqueue to start.

    .venv/bin/python -m bench.jobs [--jobs 2000] [--latency-jobs 200]

One embedded PostgreSQL (platform_support.postgres) in a temporary folder; a fresh database per
worker count. Prints a markdown table to stdout and progress to stderr. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, LiteralString

import psycopg

from control_plane.jobs import JobContext, Registry, enqueue, worker_main
from control_plane.migrate import migrate
from platform_support.postgres import embedded_server, ensure_database

REPOSITORY = Path(__file__).resolve().parent.parent

kinds = Registry()


@kinds.kind("bench.noop")
async def noop(context: JobContext) -> None:
    """Nothing: what is measured is the queue and our bookkeeping around a job."""


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def scalar(connection: psycopg.Connection[Any], query: LiteralString) -> Any:
    row = connection.execute(query).fetchone()
    assert row is not None
    return row[0]


def wait_until(connection: psycopg.Connection[Any], query: LiteralString, expected: int) -> None:
    deadline = time.monotonic() + 300
    while scalar(connection, query) < expected:
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for: {query}")
        time.sleep(0.05)


async def enqueue_batch(url: str, count: int) -> None:
    """`count` jobs in one transaction: they become visible to the workers at once."""
    async with await psycopg.AsyncConnection.connect(url) as connection:
        for _ in range(count):
            await enqueue(connection, noop, {})


async def enqueue_spaced(url: str, count: int, gap: float) -> None:
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as connection:
        for _ in range(count):
            await enqueue(connection, noop, {})
            await asyncio.sleep(gap)


def measure(url: str, workers: int, args: argparse.Namespace) -> dict[str, float]:
    command = [sys.executable, "-m", "bench.jobs", "--worker", url]
    command += ["--concurrency", str(args.concurrency)]
    processes = [subprocess.Popen(command, cwd=REPOSITORY) for _ in range(workers)]
    jobs, latency_jobs = args.jobs, args.latency_jobs
    try:
        with psycopg.connect(url, autocommit=True) as connection:
            wait_until(connection, "SELECT count(*) FROM procrastinate_workers", workers)
            log(f"{workers} worker(s) up; {jobs} no-op jobs")
            asyncio.run(enqueue_batch(url, jobs))
            done = "SELECT count(*) FROM job_attempts WHERE finished_at IS NOT NULL"
            wait_until(connection, done, jobs)
            seconds = scalar(
                connection,
                "SELECT extract(epoch FROM max(finished_at) - min(started_at)) FROM job_attempts",
            )
            log(f"{latency_jobs} jobs, one every 20 ms, for the latency")
            connection.execute("TRUNCATE job_attempts")
            asyncio.run(enqueue_spaced(url, latency_jobs, 0.02))
            wait_until(connection, done, latency_jobs)
            rows = connection.execute(
                "SELECT extract(epoch FROM a.started_at - e.at) * 1000"
                "  FROM job_attempts a JOIN procrastinate_events e"
                "    ON e.job_id = a.job_id AND e.type = 'deferred'"
            ).fetchall()
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=60)
    latencies = [float(row[0]) for row in rows]
    return {
        "jobs_per_second": jobs / float(seconds),
        "p50_ms": statistics.median(latencies),
        "p95_ms": statistics.quantiles(latencies, n=20)[-1],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=2000, help="no-op jobs for the rate")
    parser.add_argument("--latency-jobs", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=1, help="jobs at once per worker")
    parser.add_argument("--worker", metavar="URL", help=argparse.SUPPRESS)  # a worker process
    args = parser.parse_args()
    if args.worker:
        worker_main(args.worker, args.concurrency, kinds=kinds)
        return
    results = {}
    with tempfile.TemporaryDirectory() as folder, embedded_server(Path(folder) / "pg") as server:
        for workers in (1, 2):
            url = ensure_database(server, f"bench_jobs_{workers}")
            migrate(url)
            results[workers] = measure(url, workers, args)
    print("| worker processes | no-op jobs/s | enqueue → start p50 | p95 |")
    print("| --- | --- | --- | --- |")
    for workers, figures in results.items():
        print(
            f"| {workers} | {figures['jobs_per_second']:.0f} | {figures['p50_ms']:.1f} ms"
            f" | {figures['p95_ms']:.1f} ms |"
        )


if __name__ == "__main__":
    main()
