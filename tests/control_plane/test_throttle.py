"""Login throttling under a real burst of concurrent logins: at most the limit is ever
checked against a password, however many attempts arrive at once."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import fresh_database
from tests.control_plane.conftest import FOUNDATION, Api, Inbox, Server, serve

BURST = 30
PER_ACCOUNT = 5
PER_ADDRESS = 20


@pytest.fixture
def throttled(pg_server: str, inbox: Inbox, tmp_path: Path) -> Iterator[Server]:
    """A server with the default limits (the shared one lifts the limit per address)."""
    server = serve(
        fresh_database(pg_server),
        inbox,
        tmp_path,
        login_failures_per_account=str(PER_ACCOUNT),
        login_failures_per_address=str(PER_ADDRESS),
    )
    yield server
    server.stop()


def burst(server: Server, emails: list[str]) -> Counter[int]:
    """One wrong-password login per email, all sent at once; the statuses answered."""

    async def send_all() -> list[int]:
        base_url = f"{server.base_url}{FOUNDATION}"
        async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
            logins = [
                client.post("/auth/login/", json={"email": email, "password": "guess"})
                for email in emails
            ]
            return [response.status_code for response in await asyncio.gather(*logins)]

    return Counter(asyncio.run(send_all()))


def test_a_burst_of_logins_checks_no_more_passwords_than_the_limits(
    throttled: Server, inbox: Inbox
) -> None:
    api = Api(throttled, inbox)
    try:
        target = api.new_user("target")
        # 401: the password was checked (and was wrong); 429: refused before any check.
        assert burst(throttled, [target.email] * BURST) == {401: PER_ACCOUNT, 429: 25}
        # A login that succeeds frees the slot it held from the address's allowance...
        api.login(api.new_user("bystander").email)
        # ...so a spray at other accounts gets exactly what the address has left.
        spray = [f"spray-{uuid.uuid4().hex[:8]}@example.com" for _ in range(BURST)]
        left = PER_ADDRESS - PER_ACCOUNT
        assert burst(throttled, spray) == {401: left, 429: BURST - left}
    finally:
        api.http.close()
