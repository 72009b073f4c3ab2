"""The data of a project served on the platform's base URL, forwarded to its deployed app.

The caller's platform token decides who they are and their role in the project's
organisation (APP_DATA); the app gets a short-lived token of that role, signed with its
own key, and decides what that role may see (a CLIENT sees public tables only). What the
app answers goes back as it is (status, body, the headers that describe the body), its
errors included, except the links of a page, which point at the platform.

One HTTP client per process (`new_app_client`, opened in the app's lifespan) keeps
connections to the apps open between requests.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from urllib.parse import quote, unquote_plus

import httpx
from starlette.responses import Response, StreamingResponse

from control_plane.db import Conn
from control_plane.errors import ApiError, ErrorKind
from control_plane.foundation.permissions import Permission, authorize_object
from control_plane.runtime.models.environments import Environment
from control_plane.runtime.queries import forwarding
from control_plane.runtime.services.app_tokens import app_token, not_deployed
from platform_support.vault import Vault

logger = logging.getLogger("control_plane.runtime.forwarding")

APP_UNAVAILABLE = ErrorKind(503, "APP_UNAVAILABLE", "The app cannot be reached, try again")
APP_TIMEOUT = ErrorKind(504, "APP_TIMEOUT", "The app did not answer in time")
APP_BAD_RESPONSE = ErrorKind(502, "APP_BAD_RESPONSE", "The app's answer could not be used")
RETRY_AFTER_SECONDS = 5

# Seconds a forwarded request's token is valid for: one request's worth, and some slack.
FORWARDED_TOKEN_SECONDS = 120
CONNECT_SECONDS = 5.0
LIMITS = httpx.Limits(max_connections=256, max_keepalive_connections=64, keepalive_expiry=30)

# What the app needs to read the request, and what the caller needs to read the answer.
# Never the caller's Authorization (a platform token is no business of the app's).
REQUEST_HEADERS = ("accept", "accept-language", "content-type", "if-match", "if-none-match")
RESPONSE_HEADERS = ("allow", "cache-control", "content-length", "content-type", "etag")
ENVIRONMENT_PARAMETER = "environment"
SMALL_ANSWER_BYTES = 64 * 1024
LINKS = frozenset({"next", "previous"})


def new_app_client(answer_seconds: float) -> httpx.AsyncClient:
    """The process's client to the apps, waiting `answer_seconds` for an answer (APP_TIMEOUT);
    `trust_env=False`: no proxy from the environment stands between the platform and an
    app on loopback."""
    timeout = httpx.Timeout(answer_seconds, connect=CONNECT_SECONDS, pool=CONNECT_SECONDS)
    return httpx.AsyncClient(
        timeout=timeout, limits=LIMITS, trust_env=False, follow_redirects=False
    )


@dataclass(frozen=True)
class Upstream:
    """The app that serves a project's data to one caller, and the token to show it."""

    app_id: uuid.UUID
    url: str  # the instance's base URL, without a trailing slash
    token: str


@dataclass(frozen=True)
class Outgoing:
    """A caller's request, as it goes to the app."""

    method: str
    path: str  # the same path on the app: /api/v1/runtime/projects/...
    query: str  # the query string, without `environment`
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class Links:
    """Where the links of a page must point: the platform's base URL, and the
    `environment` the caller chose explicitly, kept in them."""

    platform_url: str
    environment: str | None


async def upstream_of(
    connection: Conn,
    vault: Vault,
    user_id: uuid.UUID,
    project_id: uuid.UUID,
    environment: Environment,
) -> Upstream:
    """The app serving `project_id` in `environment` to this caller, with a token of the
    caller's role; 404 for a project the caller may not know of, or with no app there."""
    deployed = await forwarding.of_project(connection, project_id, environment)
    organization = deployed.organization_id if deployed else None
    role = await authorize_object(
        connection, user_id, organization, Permission.APP_DATA, {"project": "No such project."}
    )
    assert deployed is not None  # a missing project was refused
    if deployed.app_id is None or deployed.url is None or deployed.jwt_secret is None:
        raise not_deployed(environment)
    secret = vault.decrypt(deployed.jwt_secret)
    token, _ = app_token(secret, user_id, role, FORWARDED_TOKEN_SECONDS)
    return Upstream(deployed.app_id, deployed.url.rstrip("/"), token)


def without_environment(query: str) -> str:
    """The query string without the platform's `environment`, every other byte kept."""
    kept = [
        part
        for part in query.split("&")
        if part and unquote_plus(part.partition("=")[0]) != ENVIRONMENT_PARAMETER
    ]
    return "&".join(kept)


async def forward(
    client: httpx.AsyncClient,
    upstream: Upstream,
    outgoing: Outgoing,
    request_id: str | None,
    links: Links | None = None,
) -> Response:
    """The app's answer to `outgoing`: streamed back when large or of unknown length; read
    whole when small, or when `links` asks for a page's links to be rewritten."""
    headers = {**outgoing.headers, "authorization": f"Bearer {upstream.token}"}
    headers["accept-encoding"] = "identity"  # the body goes back byte for byte
    if request_id:
        headers["x-request-id"] = request_id
    url = httpx.URL(upstream.url + quote(outgoing.path), query=outgoing.query.encode())
    request = client.build_request(outgoing.method, url, headers=headers, content=outgoing.body)
    try:
        answer = await client.send(request, stream=True)
    except httpx.HTTPError as error:
        raise _failure(client, upstream, error) from None
    kept = {name: answer.headers[name] for name in RESPONSE_HEADERS if name in answer.headers}
    if answer.status_code == 401:
        await answer.aclose()
        logger.warning("app %s refused the platform's token", upstream.app_id)
        raise ApiError(APP_BAD_RESPONSE, {"app": "The app refused the platform's token."})
    if answer.status_code == 503 and "retry-after" in answer.headers:
        kept["retry-after"] = answer.headers["retry-after"]
    if links is None and not _small(answer):
        return StreamingResponse(_streamed(upstream, answer), answer.status_code, kept)
    try:
        body = await answer.aread()
    except httpx.HTTPError as error:
        raise _failure(client, upstream, error) from None
    finally:
        await answer.aclose()
    if links is not None and answer.status_code == 200:
        body = rewrite_links(body, upstream.url, links)
        kept.pop("content-length", None)
    return Response(body, answer.status_code, kept)


def _small(answer: httpx.Response) -> bool:
    """An answer that says it is small: read whole and sent in one message, which saves
    the task a streamed answer costs (most answers: a record, a schema, an error)."""
    length = answer.headers.get("content-length", "")
    return length.isdigit() and int(length) <= SMALL_ANSWER_BYTES


async def _streamed(upstream: Upstream, answer: httpx.Response) -> AsyncIterator[bytes]:
    """The app's body as it arrives. Should the app break off, so does the answer: its
    status is sent, and the caller sees a body shorter than its Content-Length."""
    try:
        async for chunk in answer.aiter_raw():
            yield chunk
    except httpx.HTTPError as error:
        logger.warning("app %s broke off its answer: %s", upstream.app_id, type(error).__name__)
    finally:
        await answer.aclose()


def _failure(client: httpx.AsyncClient, upstream: Upstream, error: httpx.HTTPError) -> ApiError:
    logger.warning("app %s at %s: %s", upstream.app_id, upstream.url, type(error).__name__)
    if isinstance(error, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        return ApiError(
            APP_UNAVAILABLE,
            {"app": "The app does not accept connections."},
            {"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    if isinstance(error, httpx.TimeoutException):
        return ApiError(APP_TIMEOUT, {"app": f"No answer within {client.timeout.read:g} s."})
    return ApiError(APP_BAD_RESPONSE, {"app": "The app broke off its answer."})


# Pages: the links rewritten in place, every other byte kept (DECIMAL values keep their
# scale, which parsing and writing the JSON again would lose).
_DECODER = json.JSONDecoder()
_SPACE = re.compile(r"[ \t\n\r]*")


def rewrite_links(body: bytes, app_url: str, links: Links) -> bytes:
    """A page with its `next` and `previous` links to the app made links to the platform."""
    try:
        text = body.decode()
        spans = list(_link_spans(text))
    except (UnicodeDecodeError, ValueError):
        return body  # not a page: nothing to rewrite
    for start, end, link in reversed(spans):
        text = text[:start] + json.dumps(_platform_link(link, app_url, links)) + text[end:]
    return text.encode()


def _link_spans(text: str) -> Iterator[tuple[int, int, str]]:
    """Where the top-level `next` and `previous` strings are: (start, end, value). Stops
    once both are found, so the records that follow them are not parsed."""
    index = _skip(text, 0)
    if not text.startswith("{", index):
        return
    wanted = set(LINKS)
    index += 1
    while wanted:
        index = _skip(text, index)
        if text.startswith("}", index):
            return
        key, index = _DECODER.raw_decode(text, index)
        index = _skip(text, index)
        if not text.startswith(":", index):
            raise ValueError("not a JSON object")
        start = _skip(text, index + 1)
        value, end = _DECODER.raw_decode(text, start)
        if key in wanted:
            wanted.discard(key)
            if isinstance(value, str):
                yield start, end, value
        index = _skip(text, end)
        if text.startswith(",", index):
            index += 1


def _skip(text: str, index: int) -> int:
    spaces = _SPACE.match(text, index)
    return spaces.end() if spaces else index


def _platform_link(link: str, app_url: str, links: Links) -> str:
    if not link.startswith(app_url + "/"):
        return link
    rest = link[len(app_url) :]
    if links.environment is not None:
        rest += ("&" if "?" in rest else "?") + f"{ENVIRONMENT_PARAMETER}={links.environment}"
    return links.platform_url + rest
