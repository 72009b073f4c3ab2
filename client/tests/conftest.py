"""The client's tests run against the platform as a user runs it: the control plane of
tests/control_plane (a real `nocode serve`, real PostgreSQL, real SMTP), deploying to its
local target. One server for the whole session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from client_fixtures import Account

from nocode_client import NoCodeClient
from tests.conftest import pg_server  # noqa: F401  (the fixtures of the platform's tests)
from tests.control_plane.conftest import PASSWORD, Api, Inbox, inbox  # noqa: F401
from tests.control_plane.runtime.conftest import deploying_server


@pytest.fixture(scope="session")
def platform(pg_server: str, inbox: Inbox) -> Iterator[Api]:  # noqa: F811
    # Two failed logins of an account are its limit: the 429 is reached at the third.
    with deploying_server(pg_server, inbox, login_failures_per_account="2") as api:
        yield api


@pytest.fixture(scope="session")
def account(platform: Api) -> Account:
    """A user who owns an organisation."""
    owner = platform.new_user("owner")
    return Account(owner, platform.new_organization(owner))


@pytest.fixture
def client(platform: Api, account: Account) -> Iterator[NoCodeClient]:
    with NoCodeClient(platform.server.base_url) as client:
        client.login(account.user.email, PASSWORD)
        yield client
