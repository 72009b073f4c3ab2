"""Pure ASGI middleware: a request id on every request and response, an access log line,
and a bound on request bodies (a huge body is refused before it is read into memory)."""

from __future__ import annotations

import contextlib
import json
import logging
import re
import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from control_plane.errors import PAYLOAD_TOO_LARGE
from control_plane.logs import request_id
from control_plane.metrics import record_request

access_log = logging.getLogger("control_plane.access")
_INCOMING_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class _BodyTooLarge(Exception):
    pass


class RequestContext:
    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        incoming = headers.get(b"x-request-id", b"").decode("latin-1")
        current = incoming if _INCOMING_ID.match(incoming) else uuid.uuid4().hex
        token = request_id.set(current)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", current.encode()),
                ]
            await send(message)

        try:
            if _declared_length(headers) > self.max_body_bytes:
                await _refuse_body(send_with_id)
                return
            await self._bounded_app(scope, receive, send_with_id)
        finally:
            record_request(scope, status, time.perf_counter() - started)
            access_log.info(
                "%s %s %s",
                scope["method"],
                scope["path"],
                status,
                extra={
                    "fields": {
                        "method": scope["method"],
                        "path": scope["path"],
                        "status": status,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    }
                },
            )
            request_id.reset(token)

    async def _bounded_app(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The app, refused with 413 as soon as it reads past the bound (a body without
        Content-Length). Whatever the app answers then (FastAPI turns any error reading
        the body into its own 400) is replaced by the 413."""
        received = 0
        exceeded = started = False

        async def bounded() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    exceeded = True
                    raise _BodyTooLarge
            return message

        async def send_unless_exceeded(message: Message) -> None:
            nonlocal started
            if exceeded and not started:
                return
            started = True
            await send(message)

        with contextlib.suppress(_BodyTooLarge):
            await self.app(scope, bounded, send_unless_exceeded)
        if exceeded and not started:
            await _refuse_body(send)


def _declared_length(headers: dict[bytes, bytes]) -> int:
    try:
        return int(headers.get(b"content-length", b"0") or 0)
    except ValueError:
        return 0  # the server refuses a malformed length itself


async def _refuse_body(send: Send) -> None:
    body = json.dumps(
        {"error": PAYLOAD_TOO_LARGE.message, "details": {}, "code": PAYLOAD_TOO_LARGE.code}
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": PAYLOAD_TOO_LARGE.status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                # The rest of the body is not read: the connection cannot serve another
                # request, and the client must know it (or it would send the next one).
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
