"""What the Runtime tests share: a control plane that deploys to its local target, and
the Runtime API's client helpers."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from control_plane.runtime import paths
from deployment.local import remove_local
from platform_support.secrets import read_env_file
from tests.conftest import TEST_SECRET, fresh_database, nocode_environment, traversable_dir
from tests.control_plane.conftest import Api, Inbox, Server, User, serve

RUNTIME = "/api/v1/runtime"


@contextmanager
def deploying_server(pg_server: str, inbox: Inbox, **settings: str) -> Iterator[Api]:
    """A control plane whose data folder the local target's PostgreSQL (run as the
    embedded_postgres user when tests run as root) may go through; its local instances
    are removed afterwards (they outlive the control plane by design). `settings` as
    `serve` takes them."""
    with traversable_dir("nc-cp-") as data_dir:
        options = {"deploy_health_deadline": "6", **settings}
        server = serve(fresh_database(pg_server), inbox, data_dir, **options)
        client = Api(server, inbox)
        try:
            yield client
        finally:
            instances = client.query(
                "SELECT app_id, environment FROM runtime_instances WHERE target_id IS NULL"
            )
            client.http.close()
            server.stop()
            for app_id, environment in instances:
                remove_local(
                    paths.local_target_dir(data_dir), paths.instance_name(app_id, environment)
                )


@pytest.fixture(scope="module")
def deploying(pg_server: str, inbox: Inbox) -> Iterator[Api]:
    """A control plane that deploys to its local target (`deploying_server`)."""
    with deploying_server(pg_server, inbox) as api:
        yield api


def runtime(api: Api, method: str, path: str, user: User, **kwargs: Any) -> httpx.Response:
    return api.http.request(
        method, f"{api.server.base_url}{RUNTIME}{path}", headers=user.headers, **kwargs
    )


def finished(api: Api, user: User, run_id: str, timeout: float = 600) -> dict[str, Any]:
    """The deployment log of run `run_id` once it has finished."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = runtime(api, "GET", f"/deployment-logs/{run_id}/", user)
        assert response.status_code == 200, response.text
        log = response.json()
        if log["status"] in ("success", "failed", "cancelled"):
            return dict(log)
        time.sleep(0.5)
    raise AssertionError(f"run {run_id} did not finish within {timeout} s")


def worker_environment(server: Server) -> dict[str, str]:
    """The environment of one more worker of `server`'s jobs: its database, its data folder
    and the key of the secrets `nocode serve` made there."""
    return {
        **nocode_environment(),
        **read_env_file(server.data_dir),
        "JWT_SECRET": TEST_SECRET,
        "DATABASE_URL": server.database_url,
        "NOCODE_DATA_DIR": str(server.data_dir),
    }
