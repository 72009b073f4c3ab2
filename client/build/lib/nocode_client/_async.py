"""`AsyncNoCodeClient`: the API over httpx's asyncio client."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from types import TracebackType
from typing import TypeVar

import httpx

from nocode_client._api import Api
from nocode_client._bind import AsyncSender
from nocode_client._call import Call, Poll
from nocode_client._session import Credentials, Session, read
from nocode_client.endpoints import foundation
from nocode_client.models import Page, TokenPair, User

T = TypeVar("T")


class AsyncNoCodeClient(Api, AsyncSender):
    """`NoCodeClient`'s API, every method awaited (the `iter_*` ones: `async for`)::

        async with AsyncNoCodeClient("https://nocode.example.com") as client:
            await client.login("user@company.com", "password")
            async for project in client.iter_projects():
                ...

    Safe to share between the tasks of one event loop."""

    def __init__(
        self,
        base_url: str,
        *,
        tokens: TokenPair | None = None,
        timeout: float = 30.0,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self._http = http or httpx.AsyncClient(base_url=base_url, timeout=timeout)
        self._session = Session(tokens)
        self._refreshing = asyncio.Lock()

    @property
    def tokens(self) -> TokenPair | None:
        """The current access and refresh tokens (to save and resume later)."""
        credentials = self._session.credentials
        return None if credentials is None else credentials.pair()

    async def login(self, email: str, password: str) -> User:
        answer = await self._send(foundation.login(email, password))
        self._session.renew(answer)
        return answer.user

    async def logout(self) -> None:
        """End the session on the server (its tokens stop working)."""
        await self._send(foundation.logout())
        self._session.credentials = None

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> AsyncNoCodeClient:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def _send(self, call: Call[T]) -> T:
        sent = self._session.credentials
        response = await self._request(call, sent)
        if sent is not None and self._session.expired(call, response, sent):
            response = await self._request(call, await self._refreshed(sent))
        return read(call, response)

    async def _request(self, call: Call[T], credentials: Credentials | None) -> httpx.Response:
        return await self._http.request(**self._session.request(call, credentials))

    async def _refreshed(self, used: Credentials) -> Credentials:
        async with self._refreshing:
            if not self._session.still_current(used):
                return self._session.credentials or used
            return self._session.renew(await self._send(foundation.refresh(used.refresh)))

    async def _iterate(self, call: Call[Page[T]]) -> AsyncIterator[T]:
        while True:
            page = await self._send(call)
            for item in page.results:
                yield item
            if page.next is None:
                return
            call = call.following(page.next)

    async def _poll(self, poll: Poll[T]) -> T:
        deadline = time.monotonic() + poll.timeout
        while True:
            answer = await self._send(poll.call)
            poll.seen(answer)
            if poll.done(answer):
                return answer
            if time.monotonic() >= deadline:
                raise TimeoutError(f"{poll.what} did not end within {poll.timeout} s")
            await asyncio.sleep(poll.interval)
