"""Schemathesis generates requests from /api/schema/ for every operation, with a logged
in user's token, against a `nocode serve` of its own: no answer may be a 5xx."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import fresh_database, run_schemathesis
from tests.control_plane.conftest import Api, Inbox, Server, serve


@pytest.fixture
def own_server(pg_server: str, inbox: Inbox, tmp_path: Path) -> Iterator[Server]:
    server = serve(fresh_database(pg_server), inbox, tmp_path)
    yield server
    server.stop()


def test_no_server_error_anywhere(own_server: Server, inbox: Inbox, tmp_path: Path) -> None:
    api = Api(own_server, inbox)
    user = api.new_user("fuzzer")
    api.new_organization(user)
    result = run_schemathesis(
        f"{own_server.base_url}/api/schema/",
        user.headers["Authorization"],
        tmp_path,
        "--checks",
        "not_a_server_error",
        # Logging out would leave the rest of the run unauthenticated.
        "--exclude-path",
        "/api/v1/foundation/auth/logout/",
        "--max-examples",
        "30",
        "--seed",
        "7",
        "--generation-allow-x00",
        "true",
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "passed" in result.stdout
