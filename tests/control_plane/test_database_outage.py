"""With its PostgreSQL killed (kill -9), the control plane answers 503 within seconds,
its job worker waits without taking the service down, and once the database is back
both recover by themselves, still with one job worker between the server's processes."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from control_plane.jobs.in_process import RETRY_SECONDS
from tests.conftest import OwnPostgres, fresh_database
from tests.control_plane.conftest import Api, Inbox, Server, assert_error, run_housekeeping, serve

POOL_TIMEOUT_SECONDS = 1.5
# What a request may take beyond the pool timeout: the HTTP round trip and the handler.
SLACK_SECONDS = 1.5


@pytest.fixture
def outage_api(own_postgres: OwnPostgres, inbox: Inbox, tmp_path: Path) -> Iterator[Api]:
    server: Server = serve(
        fresh_database(own_postgres.url),
        inbox,
        tmp_path,
        db_pool_timeout=str(POOL_TIMEOUT_SECONDS),
    )
    client = Api(server, inbox)
    yield client
    client.http.close()
    server.stop()


def assert_unavailable_fast(
    api: Api, method: str, url: str, code: str, **request: object
) -> httpx.Response:
    started = time.monotonic()
    response = api.http.request(method, url, **request)  # type: ignore[arg-type]
    elapsed = time.monotonic() - started
    assert assert_error(response, 503, code) == {"database": "unavailable"}
    assert elapsed < POOL_TIMEOUT_SECONDS + SLACK_SECONDS, (method, url, elapsed)
    return response


def test_a_database_outage_answers_503_fast_and_the_service_recovers(
    outage_api: Api, own_postgres: OwnPostgres
) -> None:
    api = outage_api
    user = api.new_user("steady")
    ((workers_before,),) = api.query("SELECT coalesce(max(id), 0) FROM procrastinate_workers")
    own_postgres.kill()

    profile = assert_unavailable_fast(
        api, "GET", "/users/profile/", "SERVICE_UNAVAILABLE", headers=user.headers
    )
    assert int(profile.headers["Retry-After"]) > 0
    assert_unavailable_fast(
        api,
        "POST",
        "/auth/register/client/",
        "SERVICE_UNAVAILABLE",
        json={"email": "late@example.com", "password": "a long password", "first_name": "Late"},
    )
    assert_unavailable_fast(api, "GET", f"{api.server.base_url}/health", "UNHEALTHY")
    assert api.server.process.poll() is None, api.server.log.read_text()

    own_postgres.start()
    # Each server process reconnects on its own (its pool backs off between attempts, at
    # most RECONNECT_TIMEOUT_SECONDS): recovered means every process answers, so many
    # requests in a row succeed, whichever process each one reaches.
    deadline = time.monotonic() + 30
    in_a_row = 0
    while in_a_row < 20:
        assert time.monotonic() < deadline, "the service did not recover"
        health = httpx.get(f"{api.server.base_url}/health")
        profile = api.http.get("/users/profile/", headers=user.headers)
        in_a_row = in_a_row + 1 if (health.status_code, profile.status_code) == (200, 200) else 0
        time.sleep(0.1 if in_a_row else 0.2)
    assert {key: health.json()[key] for key in ("status", "database")} == {
        "status": "healthy",
        "database": "ok",
    }
    api.new_user("after")
    # The in-process job worker came back too, in one process only: the restart ended the
    # session holding its lock, so the process that ran it stops and takes turns again.
    asyncio.run(run_housekeeping(api.server.database_url, timeout=60))
    started_since = "SELECT count(*) FROM procrastinate_workers WHERE id > %s"
    # Every process tries the lock again within RETRY_SECONDS: give them all their turn.
    deadline = time.monotonic() + 2 * RETRY_SECONDS
    while time.monotonic() < deadline:
        assert api.query(started_since, workers_before) in ([(0,)], [(1,)])
        time.sleep(0.5)
    assert api.query(started_since, workers_before) == [(1,)]
