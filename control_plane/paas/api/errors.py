"""Seed 002's errors and the platform's envelope in one body: `success` false, the seed's
`errors` (every broken rule's text) and the envelope's `error`, `details` and `code`."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from control_plane.errors import VALIDATION, ApiError, ErrorKind, validation_details


def seed_error(
    kind: ErrorKind, details: dict[str, str], headers: dict[str, str] | None = None
) -> JSONResponse:
    body = {
        "success": False,
        "errors": list(details.values()) or [kind.message],
        "error": kind.message,
        "details": details,
        "code": kind.code,
    }
    return JSONResponse(body, status_code=kind.status, headers=headers)


class SeedErrorRoute(APIRoute):
    """A route whose refusals (its own, its dependencies', bad input) answer seed_error."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except ApiError as error:
                return seed_error(error.kind, error.details, error.headers)
            except RequestValidationError as error:
                return seed_error(VALIDATION, validation_details(error))

        return handle
