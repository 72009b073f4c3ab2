"""`nocode serve` under a real kill -9: a dead worker is replaced while the other serves,
and a server killed outright ends the service with one error, its PostgreSQL stopped and
no worker left behind."""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from tests.conftest import fresh_database
from tests.control_plane.conftest import FOUNDATION, PASSWORD, Inbox, Server, serve
from tests.processes import postmaster_pid, server_of, wait_for_workers, wait_gone

REGISTRATIONS = 120
CONCURRENCY = 6


def register(server: Server) -> int | str:
    """One registration on a connection of its own: its status, or the transport error
    that cut it."""
    email = f"u-{uuid.uuid4().hex[:12]}@example.com"
    body = {"email": email, "password": PASSWORD, "first_name": "Burst"}
    try:
        url = f"{server.base_url}{FOUNDATION}/auth/register/client/"
        return httpx.post(url, json=body, timeout=60).status_code
    except httpx.TransportError as error:
        return type(error).__name__


def wait_for_output(server: Server, text: str, count: int) -> None:
    deadline = time.monotonic() + 60
    while server.log.read_text(encoding="utf-8").count(text) < count:
        assert server.process.poll() is None, server.log.read_text(encoding="utf-8")
        assert time.monotonic() < deadline, server.log.read_text(encoding="utf-8")
        time.sleep(0.05)


def test_a_worker_killed_during_registrations_is_replaced_and_the_service_stays_up(
    pg_server: str, inbox: Inbox, tmp_path: Path
) -> None:
    server = serve(fresh_database(pg_server), inbox, tmp_path, workers=2)
    try:
        granian = server_of(server.process.pid)
        first = wait_for_workers(granian, 2)
        wait_for_output(server, "Started worker-", 2)
        with ThreadPoolExecutor(CONCURRENCY) as pool:
            burst = [pool.submit(register, server) for _ in range(REGISTRATIONS)]
            while sum(outcome.done() for outcome in burst) < REGISTRATIONS // 4:
                time.sleep(0.01)
            victim = first[0]
            victim.kill()
            outcomes = [outcome.result() for outcome in burst]
        wait_gone(victim.pid)
        # Only requests in flight on the killed worker may fail, and only by being cut.
        cut = [outcome for outcome in outcomes if outcome != 201]
        assert all(isinstance(outcome, str) for outcome in cut), cut
        assert len(cut) <= CONCURRENCY, cut
        (replacement,) = set(wait_for_workers(granian, 2, without=victim.pid)) - set(first)
        wait_for_output(server, "Started worker-", 3)
        assert [register(server) for _ in range(10)] == [201] * 10
        assert server.process.poll() is None
        assert replacement.is_running()
    finally:
        server.stop()


def test_a_server_killed_outright_fails_nocode_serve_and_leaves_nothing_behind(
    inbox: Inbox, tmp_path: Path
) -> None:
    server = serve(None, inbox, tmp_path, workers=2)  # its embedded PostgreSQL
    postmaster = postmaster_pid(tmp_path / "postgres")
    try:
        granian = server_of(server.process.pid)
        workers = wait_for_workers(granian, 2)
        granian.kill()
        assert server.process.wait(timeout=60) == 1
        errors = [
            line
            for line in server.log.read_text(encoding="utf-8").splitlines()
            if line.startswith("error:")
        ]
        assert errors == ["error: the control plane's server stopped (killed by SIGKILL)"]
        for process in [*workers, granian]:  # orphans would keep the port
            wait_gone(process.pid, seconds=5)
        wait_gone(postmaster, seconds=30)
        assert not (tmp_path / "postgres" / "postmaster.pid").exists()
    finally:
        server.stop()
