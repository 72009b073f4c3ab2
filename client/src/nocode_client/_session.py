"""What the sync and the async client share beyond the requests: the tokens, when to
refresh them, and how an answer becomes a model or an exception."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx

from nocode_client._call import Call
from nocode_client._errors import error_from
from nocode_client.models import TokenPair

T = TypeVar("T")

# A 401 this close to the access token's end (or after) is its expiry: refresh. The margin
# covers the time the login's answer took to arrive.
EXPIRY_MARGIN_SECONDS = 30.0


@dataclass(frozen=True)
class Credentials:
    access: str
    refresh: str
    expires_at: float  # on time.monotonic()'s clock, so the machine's clock cannot skew it

    @classmethod
    def of(cls, tokens: TokenPair) -> Credentials:
        return cls(tokens.access, tokens.refresh, time.monotonic() + tokens.expires_in)

    def expired(self) -> bool:
        return time.monotonic() >= self.expires_at - EXPIRY_MARGIN_SECONDS

    def pair(self) -> TokenPair:
        left = max(0, int(self.expires_at - time.monotonic()))
        return TokenPair(access=self.access, refresh=self.refresh, expires_in=left)


class Session:
    """The caller's tokens. A refresh token is good once: a client refreshes once for all
    the requests that found the access token `expired` (each client holds a lock from
    `still_current` to `renew`, and only the first of those requests finds the tokens it
    sent still current)."""

    def __init__(self, tokens: TokenPair | None) -> None:
        self.credentials = None if tokens is None else Credentials.of(tokens)

    def request(self, call: Call[T], credentials: Credentials | None) -> dict[str, Any]:
        """The arguments of httpx's `request()` for `call`, sent with `credentials`."""
        headers = {}
        if call.authenticated and credentials is not None:
            headers["Authorization"] = f"Bearer {credentials.access}"
        return {
            "method": call.method,
            "url": call.path,
            # None, not {}: an empty dict would drop the query of a page's `next` link
            "params": call.query() or None,
            "json": call.json(),
            "headers": headers,
        }

    def expired(self, call: Call[T], response: httpx.Response, sent: Credentials | None) -> bool:
        """Whether `response` refused the access token because it had expired."""
        return (
            response.status_code == 401
            and call.authenticated
            and sent is not None
            and sent.expired()
        )

    def still_current(self, used: Credentials) -> bool:
        """False when another request has refreshed `used` meanwhile."""
        return self.credentials is used

    def renew(self, tokens: TokenPair) -> Credentials:
        self.credentials = Credentials.of(tokens)
        return self.credentials


def read(call: Call[T], response: httpx.Response) -> T:
    """The answer as the call's model, or the exception of its error."""
    if response.is_error:
        raise error_from(response)
    return call.read(response)
