"""Real processes under test: find a supervised server and its workers, kill -9 them, and
wait until they are gone. Shared by the generated app's and the control plane's tests."""

from __future__ import annotations

import os
import time
from pathlib import Path

import psutil


def postmaster_pid(data_dir: Path) -> int:
    return int((data_dir / "postmaster.pid").read_text().splitlines()[0])


def wait_gone(pid: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return
        except psutil.NoSuchProcess:
            return
        time.sleep(0.05)
    raise AssertionError(f"process {pid} still runs")


def kill_tree(pid: int) -> None:
    """kill -9 a process and every process under it."""
    process = psutil.Process(pid)
    for member in [process, *process.children(recursive=True)]:
        member.kill()
        wait_gone(member.pid)


def server_of(supervisor_pid: int, seconds: float = 30) -> psutil.Process:
    """The server that `nocode run` or `nocode serve` (pid `supervisor_pid`) started: its
    child that leads a process group of its own."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for child in psutil.Process(supervisor_pid).children():
            try:
                if os.getpgid(child.pid) == child.pid:
                    return child
            except ProcessLookupError:
                continue
        time.sleep(0.05)
    raise AssertionError(f"process {supervisor_pid} started no server")


def workers_of(server: psutil.Process) -> list[psutil.Process]:
    """The granian workers of a server: the processes it forked."""
    return list(server.children())


def wait_for_workers(server: psutil.Process, count: int, without: int = 0) -> list[psutil.Process]:
    """The server's workers, once there are `count` of them and none has pid `without`."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        workers = workers_of(server)
        if len(workers) == count and without not in [worker.pid for worker in workers]:
            return workers
        time.sleep(0.05)
    raise AssertionError(f"the server does not have {count} workers")
