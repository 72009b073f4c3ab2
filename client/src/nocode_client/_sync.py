"""`NoCodeClient`: the API over httpx's blocking client."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from types import TracebackType
from typing import TypeVar

import httpx

from nocode_client._api import Api
from nocode_client._bind import SyncSender
from nocode_client._call import Call, Poll
from nocode_client._session import Credentials, Session, read
from nocode_client.endpoints import foundation
from nocode_client.models import Page, TokenPair, User

T = TypeVar("T")


class NoCodeClient(Api, SyncSender):
    """The platform's API from Python::

        client = NoCodeClient("https://nocode.example.com")
        client.login("user@company.com", "password")
        project = client.create_project({"name": "Shop", "organization_id": org_id})

    Safe to share between threads. `tokens` resumes a session saved earlier
    (`client.tokens`); `http` replaces the httpx client (proxies, certificates...)."""

    def __init__(
        self,
        base_url: str,
        *,
        tokens: TokenPair | None = None,
        timeout: float = 30.0,
        http: httpx.Client | None = None,
    ) -> None:
        self._http = http or httpx.Client(base_url=base_url, timeout=timeout)
        self._session = Session(tokens)
        self._refreshing = threading.Lock()

    @property
    def tokens(self) -> TokenPair | None:
        """The current access and refresh tokens (to save and resume later)."""
        credentials = self._session.credentials
        return None if credentials is None else credentials.pair()

    def login(self, email: str, password: str) -> User:
        answer = self._send(foundation.login(email, password))
        self._session.renew(answer)
        return answer.user

    def logout(self) -> None:
        """End the session on the server (its tokens stop working)."""
        self._send(foundation.logout())
        self._session.credentials = None

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> NoCodeClient:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _send(self, call: Call[T]) -> T:
        sent = self._session.credentials
        response = self._request(call, sent)
        if sent is not None and self._session.expired(call, response, sent):
            response = self._request(call, self._refreshed(sent))
        return read(call, response)

    def _request(self, call: Call[T], credentials: Credentials | None) -> httpx.Response:
        return self._http.request(**self._session.request(call, credentials))

    def _refreshed(self, used: Credentials) -> Credentials:
        with self._refreshing:
            if not self._session.still_current(used):
                return self._session.credentials or used
            return self._session.renew(self._send(foundation.refresh(used.refresh)))

    def _iterate(self, call: Call[Page[T]]) -> Iterator[T]:
        while True:
            page = self._send(call)
            yield from page.results
            if page.next is None:
                return
            call = call.following(page.next, self._http.base_url)

    def _poll(self, poll: Poll[T]) -> T:
        deadline = time.monotonic() + poll.timeout
        while True:
            answer = self._send(poll.call)
            poll.seen(answer)
            if poll.done(answer):
                return answer
            if time.monotonic() >= deadline:
                raise TimeoutError(f"{poll.what} did not end within {poll.timeout} s")
            time.sleep(poll.interval)
