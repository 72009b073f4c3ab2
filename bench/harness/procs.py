"""Starting, health-polling and stopping contender processes (each in its own session)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path


class ProcessDied(RuntimeError):
    pass


def run_checked(
    cmd: Sequence[str],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    log: Path,
    timeout: float,
) -> None:
    """Run a set-up command to completion, appending its output to log."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        out.write(f"\n$ {' '.join(cmd)}\n".encode())
        out.flush()
        proc = subprocess.run(
            list(cmd),
            cwd=cwd,
            env=dict(env) if env else None,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            timeout=timeout,
        )
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[0]} exited {proc.returncode}; last lines:\n{tail(log)}")


def spawn(
    cmd: Sequence[str], *, cwd: Path, env: Mapping[str, str], log: Path
) -> subprocess.Popen[bytes]:
    """Start a server in a new process group, output to log."""
    log.parent.mkdir(parents=True, exist_ok=True)
    out = log.open("ab")
    try:
        return subprocess.Popen(
            list(cmd),
            cwd=cwd,
            env=dict(env),
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    finally:
        out.close()


def wait_healthy(
    url: str,
    proc: subprocess.Popen[bytes],
    *,
    started: float,
    timeout: float,
    headers: Mapping[str, str] | None = None,
    body: bytes | None = None,
) -> float:
    """Poll url until it answers 2xx (to a POST of `body` if given); return seconds since
    `started` (a perf_counter)."""
    deadline = started + timeout
    request = urllib.request.Request(url, data=body, headers=dict(headers or {}))
    while time.perf_counter() < deadline:
        if proc.poll() is not None:
            raise ProcessDied(f"exited with {proc.returncode} before {url} answered")
        try:
            with urllib.request.urlopen(request, timeout=2) as resp:
                if 200 <= resp.status < 300:  # a webhook that runs later answers 202
                    return time.perf_counter() - started
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        time.sleep(0.05)
    raise TimeoutError(f"{url} did not answer 2xx within {timeout:.0f} s")


def stop(proc: subprocess.Popen[bytes], grace: float = 10.0) -> None:
    """SIGTERM the process group we started, then SIGKILL it after `grace` seconds."""
    if proc.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            break
        except subprocess.TimeoutExpired:
            continue
    # Workers that outlived their parent in the same group.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)


def tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
