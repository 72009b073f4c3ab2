"""The generated app's own CPU time per single-record request: the CRM's ASGI app called
in-process, one request after another, on a seeded `produits` in an embedded PostgreSQL.
The process's CPU time (time.process_time) leaves out PostgreSQL and any other process,
so the figure holds on a busy machine, where req/s through HTTP would not; no HTTP server
either (granian's share is not in it).

    .venv/bin/python -m bench.app_cpu [--app DIR] [--requests 3000]

Without --app, the CRM is generated from this checkout first. Prints, per kind (get,
patch, create, delete), the microseconds of CPU and of wall time per request.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jwt

from bench.harness.contenders.base import CREATE_BODY, PATCH_BODY
from bench.harness.contenders.ours import BASE, NOCODE, SPEC
from bench.harness.pg import start_postgres

SECRET = "bench-app-cpu-secret-bench-app-cpu-secret"
WARM_UP = 200
# Deletes take ids from here up, clear of the ones the other kinds read and write.
DELETED_FROM = 50_000

Request = tuple[str, str, bytes]


def _kinds() -> dict[str, Callable[[int], Request]]:
    return {
        "get": lambda n: ("GET", f"{BASE}{n}/", b""),
        "patch": lambda n: ("PATCH", f"{BASE}{n}/", PATCH_BODY.encode()),
        "create": lambda n: ("POST", BASE, CREATE_BODY.replace("{ref}", f"cpu-{n}").encode()),
        "delete": lambda n: ("DELETE", f"{BASE}{DELETED_FROM + n}/", b""),
    }


async def _call(app: Any, token: str, method: str, path: str, body: bytes) -> int:
    """One request through the ASGI app; its status."""
    headers = [
        (b"host", b"bench"),
        (b"authorization", f"Bearer {token}".encode()),
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
        "state": {},
    }
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    status = 0

    async def receive() -> dict[str, Any]:
        if messages:
            return messages.pop()
        await asyncio.Event().wait()  # no disconnect: the answer is sent first
        raise AssertionError

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


async def _measure(app: Any, token: str, requests: int) -> None:
    async with app.router.lifespan_context(app):
        for kind, make in _kinds().items():
            for n in range(1, WARM_UP + 1):
                status = await _call(app, token, *make(n))
                assert status < 300, (kind, status)
            cpu, wall = time.process_time(), time.perf_counter()
            for n in range(WARM_UP + 1, WARM_UP + 1 + requests):
                await _call(app, token, *make(n))
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            print(
                f"| {kind} | {cpu / requests * 1e6:,.0f} | {wall / requests * 1e6:,.0f} |",
                flush=True,
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--app", type=Path, help="a generated CRM (default: generate one)")
    parser.add_argument("--requests", type=int, default=3000, help="per kind")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-app-cpu-") as work:
        app_dir = args.app
        if app_dir is None:
            app_dir = Path(work) / "app"
            subprocess.run(
                [str(NOCODE), "generate", str(SPEC), "--out", str(app_dir)],
                check=True,
                capture_output=True,
            )
        pg = start_postgres(Path(work) / "pgdata")
        pg.recreate_database("bench_app_cpu")
        os.environ.update(DATABASE_URL=pg.uri("bench_app_cpu"), JWT_SECRET=SECRET)
        subprocess.run(
            [sys.executable, "-m", "app", "migrate"], cwd=app_dir, check=True, capture_output=True
        )
        pg.seed_produits("bench_app_cpu")
        sys.path.insert(0, str(app_dir.resolve()))
        app = importlib.import_module("app.main").create_app()
        claims = {"sub": "bench", "role": "OWNER", "exp": int(time.time()) + 3600}
        print("| kind | app CPU per request (µs) | wall time per request (µs) |")
        print("| --- | ---: | ---: |")
        asyncio.run(_measure(app, jwt.encode(claims, SECRET, algorithm="HS256"), args.requests))


if __name__ == "__main__":
    main()
