"""Workers in this process or in their own, and waiting."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Any

import psycopg
import pytest

from control_plane.jobs import JobView, Registry, get_job, run_worker
from tests.conftest import REPOSITORY
from tests.control_plane.jobs.kinds import FAST, kinds


@asynccontextmanager
async def connected(url: str) -> AsyncIterator[psycopg.AsyncConnection[tuple[Any, ...]]]:
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as connection:
        yield connection


@asynccontextmanager
async def running_worker(url: str, registry: Registry = kinds) -> AsyncIterator[None]:
    stop = asyncio.Event()
    worker = asyncio.create_task(run_worker(url, stop=stop, kinds=registry, settings=FAST))
    try:
        yield
    finally:
        stop.set()
        await worker


async def wait_for(
    connection: psycopg.AsyncConnection[tuple[Any, ...]],
    job_id: int,
    condition: Callable[[JobView], bool],
    timeout: float = 10,
) -> JobView:
    deadline = time.monotonic() + timeout
    while True:
        job = await get_job(connection, job_id)
        assert job is not None
        if condition(job):
            return job
        if time.monotonic() > deadline:
            raise AssertionError(f"job {job_id} still {job.state} after {timeout} s: {job}")
        await asyncio.sleep(0.05)


@pytest.fixture
def spawn_worker() -> Iterator[Callable[[str], subprocess.Popen[bytes]]]:
    """Start worker processes (tests/control_plane/jobs/worker_process.py); kill leftovers."""
    started: list[subprocess.Popen[bytes]] = []

    def spawn(url: str) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.control_plane.jobs.worker_process", url],
            cwd=REPOSITORY,
            stderr=subprocess.DEVNULL,
        )
        started.append(process)
        return process

    yield spawn
    for process in started:
        process.kill()
        process.wait(timeout=10)
