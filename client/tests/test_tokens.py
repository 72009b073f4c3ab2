"""Tokens refreshed by the client itself: an access token that has expired is refreshed
once with the refresh token (good once: the server revokes the whole session when one is
presented twice), and the request sent again; requests that find it expired at the same
time, from threads or tasks, share that one refresh. The expired access tokens are real
ones of the session, signed by the server's key with an end in the past: what a token is
15 minutes after the login."""

from __future__ import annotations

import asyncio
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import jwt
import pytest
from client_fixtures import Account

from control_plane.security import tokens as platform_tokens
from nocode_client import AsyncNoCodeClient, NoCodeClient, NotAuthenticated
from nocode_client.models import TokenPair
from tests.conftest import TEST_SECRET
from tests.control_plane.conftest import PASSWORD, Api

CONCURRENT = 8


def expired(pair: TokenPair) -> TokenPair:
    """`pair` with its access token replaced by one of the same session that has expired."""
    claims = jwt.decode(pair.access, options={"verify_signature": False})
    access, _ = platform_tokens.issue(
        TEST_SECRET,
        "access",
        uuid.UUID(claims["sub"]),
        uuid.UUID(claims["sid"]),
        timedelta(seconds=-60),
    )
    return TokenPair(access=access, refresh=pair.refresh, expires_in=0)


def logged_in(platform: Api, account: Account) -> TokenPair:
    with NoCodeClient(platform.server.base_url) as client:
        client.login(account.user.email, PASSWORD)
        assert client.tokens is not None
        return client.tokens


def test_an_expired_access_token_is_refreshed_and_the_request_sent_again(
    platform: Api, account: Account
) -> None:
    first = expired(logged_in(platform, account))
    with NoCodeClient(platform.server.base_url, tokens=first) as client:
        assert client.profile().email == account.user.email
        second = client.tokens
    assert second is not None and second.refresh != first.refresh
    assert second.expires_in > 600  # the server's 15 minutes

    # The client kept the new refresh token: the next expiry is refreshed with it.
    with NoCodeClient(platform.server.base_url, tokens=expired(second)) as client:
        assert client.profile().email == account.user.email


def test_concurrent_requests_share_one_refresh(platform: Api, account: Account) -> None:
    with NoCodeClient(
        platform.server.base_url, tokens=expired(logged_in(platform, account))
    ) as client:
        with ThreadPoolExecutor(CONCURRENT) as pool:
            profiles = list(pool.map(lambda _: client.profile(), range(CONCURRENT)))
        assert {profile.email for profile in profiles} == {account.user.email}
        # Two refreshes with one token would have revoked the session.
        assert client.profile().email == account.user.email


def test_concurrent_tasks_share_one_refresh(platform: Api, account: Account) -> None:
    pair = expired(logged_in(platform, account))

    async def profiles() -> set[str]:
        async with AsyncNoCodeClient(platform.server.base_url, tokens=pair) as client:
            found = await asyncio.gather(*(client.profile() for _ in range(CONCURRENT)))
            return {profile.email for profile in found} | {(await client.profile()).email}

    assert asyncio.run(profiles()) == {account.user.email}


def test_a_session_ended_elsewhere_raises_not_authenticated(
    platform: Api, account: Account
) -> None:
    pair = logged_in(platform, account)
    with NoCodeClient(platform.server.base_url, tokens=pair) as other:
        other.logout()
        assert other.tokens is None
    with NoCodeClient(platform.server.base_url, tokens=pair) as client:
        with pytest.raises(NotAuthenticated) as refused:
            client.profile()
        assert refused.value.code == "NOT_AUTHENTICATED" and refused.value.status == 401
