"""Running wrk with lua/bench.lua and reading the figures its done() hook prints."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass

from .config import LUA_SCRIPT, ROWS, Settings


@dataclass(frozen=True)
class Request:
    """One request kind for one contender; "{id}"/"{ref}"/"{seq}" are filled in by the Lua
    script ("{seq}": a row of its own per request, see harness/deletes.py)."""

    method: str
    path: str
    body: str = ""

    def render(self, row_id: int, ref: str) -> tuple[str, str]:
        """(path, body) as lua/bench.lua would send them for this id and reference ("{seq}"
        is this id too)."""

        def fill(text: str) -> str:
            prix = f"{((row_id * 7919) % 100_000) / 100:.2f}"
            return (
                text.replace("{id}", str(row_id))
                .replace("{id7}", f"{row_id:07d}")
                .replace("{prix}", prix)
                .replace("{ref}", ref)
                .replace("{seq}", str(row_id))
            )

        return fill(self.path), fill(self.body)


@dataclass(frozen=True)
class WrkResult:
    requests: int
    duration_s: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    non2xx: int
    socket_errors: int
    timeouts: int
    codes: list[int]
    sample_error: str
    # The most requests any one wrk thread generated (sent or not): "{seq}" ids up to
    # start + seq_used * threads may have been used.
    seq_used: int = 0

    @property
    def rps(self) -> float:
        return self.requests / self.duration_s if self.duration_s else 0.0


def wrk_binary() -> str:
    """Path of wrk, installed from Debian's package when missing and we are root."""
    found = shutil.which("wrk")
    if not found and os.geteuid() == 0 and shutil.which("apt-get"):
        for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "wrk"]):
            subprocess.run(
                cmd,
                check=False,
                capture_output=True,
                timeout=600,
                env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
            )
        found = shutil.which("wrk")
    if not found:
        raise RuntimeError("wrk is not installed (apt-get install wrk)")
    return found


def _command(
    base_url: str,
    request: Request,
    headers: Mapping[str, str],
    *,
    threads: int,
    connections: int,
    duration: int,
    nonce: str,
    seq_start: int,
) -> list[str]:
    return [
        wrk_binary(),
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "10s",
        "-s",
        str(LUA_SCRIPT),
        base_url,
        "--",
        request.method,
        request.path,
        request.body,
        nonce,
        str(ROWS),
        str(seq_start),
        str(threads),
        *(f"{name}: {value}" for name, value in headers.items()),
    ]


def run_wrk(
    base_url: str,
    request: Request,
    headers: Mapping[str, str],
    settings: Settings,
    *,
    duration: int,
    nonce: str,
    seq_start: int = 0,
) -> WrkResult:
    """One bounded wrk run (wrk stops itself after `duration`; we kill it 60 s later).
    `seq_start`: the first id "{seq}" may take in this run."""
    cmd = _command(
        base_url,
        request,
        headers,
        threads=settings.threads,
        connections=settings.connections,
        duration=duration,
        nonce=nonce,
        seq_start=seq_start,
    )
    env = os.environ | {"BENCH_PACE_MS": str(settings.pace_ms)}
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60, env=env)
    if proc.returncode != 0:
        raise RuntimeError(
            f"wrk exited {proc.returncode}: {proc.stderr.strip() or proc.stdout.strip()}"
        )
    return parse_output(proc.stdout)


def parse_output(stdout: str) -> WrkResult:
    figures: dict[str, int] = {}
    codes: list[int] = []
    sample = ""
    for line in stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            figures = json.loads(line.removeprefix("BENCH_JSON "))
        elif line.startswith("BENCH_CODES "):
            codes = sorted(
                {int(c) for c in line.removeprefix("BENCH_CODES ").split(",") if c.strip()}
            )
        elif line.startswith("BENCH_SAMPLE "):
            sample = line.removeprefix("BENCH_SAMPLE ").strip()
    if not figures:
        raise RuntimeError(f"wrk printed no BENCH_JSON line:\n{stdout}")
    return WrkResult(
        requests=figures["requests"],
        duration_s=figures["duration_us"] / 1e6,
        p50_ms=figures["p50_us"] / 1000,
        p95_ms=figures["p95_us"] / 1000,
        p99_ms=figures["p99_us"] / 1000,
        non2xx=figures["non2xx"],
        socket_errors=figures["socket_errors"],
        timeouts=figures["timeouts"],
        codes=codes,
        sample_error=sample,
        seq_used=figures.get("seq_used", 0),
    )
