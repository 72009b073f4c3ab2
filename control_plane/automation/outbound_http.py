"""HTTP requests under the outbound policy (outbound.py), with httpx: the host is resolved
and checked, the request goes to the checked address (the name kept in `Host` and in
TLS's server name), and each redirect is checked the same way before it is followed
(never by httpx itself), up to MAX_REDIRECTS. The answer is read up to `max_bytes`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from control_plane.automation.outbound import OutboundRefused, resolve

MAX_REDIRECTS = 5
# Made once: building the CA bundle's context is most of a new client's cost (25 ms).
TLS_CONTEXT = httpx.create_ssl_context()
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_DEFAULT_PORTS = {"http": 80, "https": 443}


class TooLarge(Exception):
    """The answer's body is over the size allowed."""


@dataclass(frozen=True)
class Outgoing:
    method: str
    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    params: Mapping[str, Any] = field(default_factory=dict)
    content: bytes | None = None


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    url: str  # after redirects


def _parsed(text: str, base: httpx.URL | None = None) -> httpx.URL:
    """`text` as a URL (relative to `base`, a redirect's); OutboundRefused if it is not."""
    try:
        return base.join(text) if base else httpx.URL(text)
    except (httpx.InvalidURL, TypeError, ValueError):
        raise OutboundRefused("not a valid URL") from None


def _target(url: httpx.URL) -> tuple[str, int]:
    if url.scheme not in _DEFAULT_PORTS or not url.host:
        raise OutboundRefused(f"{url}: only http and https URLs with a host")
    return url.host, url.port or _DEFAULT_PORTS[url.scheme]


async def send(
    outgoing: Outgoing,
    *,
    allow_loopback: bool,
    timeout: float,
    max_bytes: int,
    follow_redirects: bool = True,
) -> Answer:
    """The answer to `outgoing`; OutboundRefused, TooLarge or httpx.HTTPError otherwise."""
    url = _parsed(outgoing.url)
    if outgoing.params:  # added to the URL's own query, which is kept byte for byte
        url = url.copy_merge_params(dict(outgoing.params))
    method, content = outgoing.method.upper(), outgoing.content
    headers = dict(outgoing.headers)
    async with httpx.AsyncClient(
        timeout=timeout, trust_env=False, follow_redirects=False, verify=TLS_CONTEXT
    ) as client:
        for _ in range(MAX_REDIRECTS + 1):
            host, port = _target(url)
            destination = await resolve(host, port, allow_loopback)
            request = client.build_request(
                method,
                url.copy_with(host=str(destination.address)),
                headers={**headers, "host": url.netloc.decode("ascii")},
                content=content,
                extensions={"sni_hostname": host},
            )
            response = await client.send(request, stream=True)
            try:
                location = response.headers.get("location")
                if not (follow_redirects and response.status_code in _REDIRECTS and location):
                    body = await _read(response, max_bytes)
                    return Answer(response.status_code, dict(response.headers), body, str(url))
            finally:
                await response.aclose()
            following = _parsed(location, base=url)
            if following.host != url.host:
                headers = {k: v for k, v in headers.items() if k.lower() != "authorization"}
            if response.status_code == 303 or (
                response.status_code in (301, 302) and method == "POST"
            ):
                method, content = "GET", None
            url = following
    raise OutboundRefused(f"more than {MAX_REDIRECTS} redirects")


async def _read(response: httpx.Response, max_bytes: int) -> bytes:
    body = bytearray()
    async for chunk in response.aiter_bytes():
        body += chunk
        if len(body) > max_bytes:
            raise TooLarge(f"the answer is over {max_bytes} bytes")
    return bytes(body)
