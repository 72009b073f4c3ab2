"""Record events of a deployed app become platform events: the CRM deployed through the
platform to its local target (a real granian server on a real PostgreSQL), records
written through the app's own API, and the `automation.app_events` job (every 2 s, on the
server's in-process worker and one more worker process) bringing them into
`platform_events`, once each, in order; an app that cannot be reached is caught up once it
can, without holding up the others."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from psycopg_pool import AsyncConnectionPool

from control_plane.automation.services.app_events import AppEventsClient, collect
from platform_support.vault import Vault
from tests.conftest import REPOSITORY, free_port
from tests.control_plane.conftest import Api
from tests.control_plane.runtime.apps_fixture import App, app_client, make_app
from tests.control_plane.runtime.conftest import finished, runtime, worker_environment
from tests.control_plane.runtime.instance_fixture import secret_key

pytestmark = pytest.mark.slow

# The job runs every 2 s, one pass at a time; a pass gives an instance at most 5 s
# (APP_EVENTS_TIMEOUT_SECONDS).
BOUND_SECONDS = 20


@dataclass
class Deployed:
    api: Api
    app: App
    url: str  # where the local target serves it

    def crm(self) -> httpx.Client:
        return app_client(self.app, self.url)

    def events(self, record_ids: set[int] | None = None) -> list[tuple[str, dict[str, Any]]]:
        """The app's record events in platform_events, oldest first: (name, payload)."""
        rows = self.api.query(
            "SELECT name, payload FROM platform_events "
            "WHERE name LIKE 'record.%%' AND payload->>'app_id' = %s ORDER BY id",
            self.app.id,
        )
        return [
            (name, payload)
            for name, payload in rows
            if record_ids is None or payload["record_id"] in record_ids
        ]

    def wait_for_events(
        self, record_ids: set[int], count: int, timeout: float = BOUND_SECONDS
    ) -> list[tuple[str, dict[str, Any]]]:
        deadline = time.monotonic() + timeout
        while len(found := self.events(record_ids)) < count:
            assert time.monotonic() < deadline, f"{len(found)} of {count} events: {found}"
            time.sleep(0.2)
        return found

    def move(self, environment: str, url: str) -> None:
        """Make the platform look for the app's `environment` instance at `url`."""
        self.api.query(
            "UPDATE runtime_instances SET url = %s WHERE app_id = %s AND environment = %s",
            url,
            uuid.UUID(self.app.id),
            environment,
        )


@pytest.fixture(scope="module")
def deployed(deploying: Api) -> Iterator[Deployed]:
    api = deploying
    owner = api.new_user("owner")
    with pytest.MonkeyPatch.context() as monkeypatch:
        app = make_app(api, api.new_organization(owner, "Eventful"), monkeypatch)
    response = runtime(api, "POST", f"/apps/{app.id}/deploy/", owner, json={})
    assert response.status_code == 202, response.text
    log = finished(api, owner, response.json()["deployment_id"])
    assert log["status"] == "success", log
    yield Deployed(api, app, log["deployment_details"]["url"])


def test_record_writes_become_platform_events(deployed: Deployed) -> None:
    with deployed.crm() as crm:
        created = crm.post("/tables/clients/", json={"nom": "Jean", "email": "jean@example.com"})
        assert created.status_code == 201, created.text
        record = created.json()
        updated = crm.put(f"/tables/clients/{record['id']}/", json={"nom": "Jean Dupont"})
        assert updated.status_code == 200, updated.text
        assert crm.delete(f"/tables/clients/{record['id']}/").status_code == 204

        found = deployed.wait_for_events({record["id"]}, 3)
        common = {"table": "clients", "record_id": record["id"], "app_id": deployed.app.id}
        assert found == [
            ("record.created", {**common, "record": record, "environment": "production"}),
            ("record.updated", {**common, "record": updated.json(), "environment": "production"}),
            ("record.deleted", {**common, "record": updated.json(), "environment": "production"}),
        ]
        # Kept by the platform, so acknowledged: the app's outbox lets them go.
        deadline = time.monotonic() + BOUND_SECONDS
        while crm.get("/events/", headers=admin(deployed)).json()["results"]:
            assert time.monotonic() < deadline, "the app still holds the events"
            time.sleep(0.2)
    [(organization, project)] = deployed.api.query(
        "SELECT DISTINCT organization_id, project_id FROM platform_events "
        "WHERE payload->>'app_id' = %s",
        deployed.app.id,
    )
    assert (str(organization), str(project)) == (deployed.app.organization, deployed.app.project_id)


def admin(deployed: Deployed) -> dict[str, str]:
    with app_client(deployed.app, deployed.url, role="ADMIN") as client:
        return {"Authorization": str(client.headers["Authorization"])}


def create_clients(deployed: Deployed, count: int, prefix: str) -> set[int]:
    with deployed.crm() as crm:
        ids = set()
        for n in range(count):
            response = crm.post(
                "/tables/clients/", json={"nom": "Client", "email": f"{prefix}{n}@example.org"}
            )
            assert response.status_code == 201, response.text
            ids.add(response.json()["id"])
    return ids


async def concurrent_passes(deployed: Deployed, passes: int) -> None:
    """`passes` collections of every instance at once, as overlapping jobs would run."""
    vault = Vault(secret_key(deployed.api.server))
    async with (
        AsyncConnectionPool(
            deployed.api.server.database_url, kwargs={"autocommit": True}, max_size=passes
        ) as pool,
        httpx.AsyncClient(timeout=5, trust_env=False) as http,
    ):
        client = AppEventsClient(http, vault)
        await asyncio.gather(*(collect(pool, client, 10) for _ in range(passes)))


def running_workers(deployed: Deployed) -> int:
    """How many job workers are up (each runs the collection pass every 2 s)."""
    [(count,)] = deployed.api.query("SELECT count(*) FROM procrastinate_workers")
    return int(count)


def test_each_event_is_emitted_once_whatever_the_collectors(deployed: Deployed) -> None:
    worker = subprocess.Popen(
        [sys.executable, "-m", "nocode", "worker"],
        cwd=REPOSITORY,
        env=worker_environment(deployed.api.server),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + BOUND_SECONDS
        while running_workers(deployed) < 2:
            assert time.monotonic() < deadline, "the second worker never started"
            time.sleep(0.5)
        ids: set[int] = set()
        for batch in range(3):
            ids |= create_clients(deployed, 20, f"batch{batch}")
            asyncio.run(concurrent_passes(deployed, 4))
        found = deployed.wait_for_events(ids, len(ids))
        time.sleep(4)  # two more passes of both workers: nothing comes twice
        found = deployed.events(ids)
        assert sorted(payload["record_id"] for _, payload in found) == sorted(ids)
        assert {name for name, _ in found} == {"record.created"}
        assert [payload["record_id"] for _, payload in found] == sorted(ids)
    finally:
        worker.kill()
        worker.wait()


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield int(listener.getsockname()[1])


def test_an_unreachable_app_is_caught_up_without_holding_up_the_others(
    deployed: Deployed, silent_port: int
) -> None:
    api, app_id = deployed.api, uuid.UUID(deployed.app.id)
    # An instance that never answers, read first: every pass waits for it, in vain.
    api.query(
        "INSERT INTO runtime_instances (app_id, environment, url) VALUES (%s, 'development', %s)",
        app_id,
        f"http://127.0.0.1:{silent_port}",
    )
    try:
        started = time.monotonic()
        served = create_clients(deployed, 1, "served")
        deployed.wait_for_events(served, 1)
        assert time.monotonic() - started < BOUND_SECONDS

        # Production unreachable: its writes wait in its outbox...
        deployed.move("production", f"http://127.0.0.1:{free_port()}")
        waiting = create_clients(deployed, 3, "waiting")
        time.sleep(5)
        assert deployed.events(waiting) == []
        # ... and come once it is back.
        deployed.move("production", deployed.url)
        caught_up = deployed.wait_for_events(waiting, 3)
        assert sorted(payload["record_id"] for _, payload in caught_up) == sorted(waiting)
    finally:
        deployed.move("production", deployed.url)
        api.query(
            "DELETE FROM runtime_instances WHERE app_id = %s AND environment = 'development'",
            app_id,
        )
