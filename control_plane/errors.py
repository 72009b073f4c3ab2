"""The one boundary where failures become responses: every error leaves as the seed
envelope `{"error", "details", "code"}`, nothing else does, and no traceback, SQL or
secret reaches a client.

The envelope has the generated apps' field names and, for the kinds both have, their code
names (NOT_FOUND, METHOD_NOT_ALLOWED, NOT_AUTHENTICATED, PAYLOAD_TOO_LARGE, INTERNAL_ERROR):
a client reads the errors of the control plane and of every app the same way.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from platform_support.errors import Issue, UserError

logger = logging.getLogger("control_plane.errors")


@dataclass(frozen=True)
class ErrorKind:
    status: int
    code: str
    message: str


VALIDATION = ErrorKind(400, "VALIDATION_ERROR", "Invalid input")
INVALID_TOKEN = ErrorKind(400, "INVALID_TOKEN", "The link or token is invalid or has expired")
NOT_AUTHENTICATED = ErrorKind(401, "NOT_AUTHENTICATED", "Authentication required")
INVALID_CREDENTIALS = ErrorKind(401, "INVALID_CREDENTIALS", "Wrong email or password")
PERMISSION_DENIED = ErrorKind(403, "PERMISSION_DENIED", "Permission denied")
NOT_FOUND = ErrorKind(404, "NOT_FOUND", "Not found")
METHOD_NOT_ALLOWED = ErrorKind(405, "METHOD_NOT_ALLOWED", "Method not allowed")
CONFLICT = ErrorKind(409, "CONFLICT", "Conflicts with the current state")
LIMIT_REACHED = ErrorKind(409, "LIMIT_REACHED", "A platform limit is reached")
PAYLOAD_TOO_LARGE = ErrorKind(413, "PAYLOAD_TOO_LARGE", "Request body too large")
TOO_MANY_ATTEMPTS = ErrorKind(429, "TOO_MANY_ATTEMPTS", "Too many attempts, try again later")
INTERNAL = ErrorKind(500, "INTERNAL_ERROR", "Internal error")
UNAVAILABLE = ErrorKind(503, "UNAVAILABLE", "Temporarily unavailable")
DATABASE_UNAVAILABLE = ErrorKind(503, "SERVICE_UNAVAILABLE", "Service unavailable, try again")
UNHEALTHY = ErrorKind(503, "UNHEALTHY", "Service unavailable")

# The pool reconnects within seconds once the database is back.
RETRY_AFTER_SECONDS = 5


class ApiError(UserError):
    """Raised anywhere to answer with `kind`; its issues are the envelope's `details`
    (field -> problem)."""

    def __init__(
        self,
        kind: ErrorKind,
        details: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        issues = [Issue(field, problem) for field, problem in (details or {}).items()]
        super().__init__(issues or kind.message, code=kind.code)
        self.kind = kind
        self.headers = headers

    @property
    def details(self) -> dict[str, str]:
        return {issue.path: issue.message for issue in self.issues if issue.path}


def envelope(
    kind: ErrorKind, details: dict[str, Any] | None = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    body = {"error": kind.message, "details": details or {}, "code": kind.code}
    return JSONResponse(body, status_code=kind.status, headers=headers)


def _field(location: tuple[int | str, ...]) -> str:
    """`("body", "email")` -> `email`, `("body", "events", 3, "name")` -> `events[3].name`;
    a whole-body problem -> `body`."""
    path = ""
    for part in location[1:] or location:
        path += f"[{part}]" if isinstance(part, int) else f".{part}" if path else str(part)
    return path


async def _on_api_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ApiError)
    return envelope(error.kind, error.details, error.headers)


def validation_details(error: RequestValidationError) -> dict[str, str]:
    """Each bad field of a request, with its first problem."""
    details: dict[str, str] = {}
    for problem in error.errors():
        where = "body" if problem["type"] == "json_invalid" else _field(tuple(problem["loc"]))
        details.setdefault(where, problem["msg"])
    return details


async def _on_validation_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    return envelope(VALIDATION, validation_details(error))


async def _on_http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    if error.status_code == 404:
        return envelope(NOT_FOUND, {"path": request.url.path})
    if error.status_code == 405:
        return envelope(METHOD_NOT_ALLOWED, {"method": request.method})
    if error.status_code == 400:  # FastAPI could not read the body (not UTF-8, too deep)
        return envelope(VALIDATION, {"body": str(error.detail)})
    kind = ErrorKind(error.status_code, f"HTTP_{error.status_code}", str(error.detail))
    return envelope(kind, headers=getattr(error, "headers", None))


async def _on_bad_data(request: Request, error: Exception) -> JSONResponse:
    """Values PostgreSQL cannot hold (a NUL character, ...): the transaction was rolled back."""
    assert isinstance(error, psycopg.DataError)
    reason = error.diag.message_primary or "value not accepted by the database"
    return envelope(VALIDATION, {"body": reason})


async def _on_database_unavailable(request: Request, error: Exception) -> JSONResponse:
    """No connection within DB_POOL_TIMEOUT (psycopg_pool.PoolTimeout is one), or the
    connection broke during the request: the database is down or restarting."""
    assert isinstance(error, psycopg.OperationalError)
    logger.warning(
        "database unavailable on %s %s: %s",
        request.method,
        request.url.path,
        type(error).__name__,
    )
    return envelope(
        DATABASE_UNAVAILABLE,
        {"database": "unavailable"},
        {"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


async def _on_unexpected(request: Request, error: Exception) -> JSONResponse:
    logger.exception("unexpected error on %s %s", request.method, request.url.path)
    return envelope(INTERNAL)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _on_api_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(HTTPException, _on_http_error)
    app.add_exception_handler(psycopg.DataError, _on_bad_data)
    app.add_exception_handler(psycopg.OperationalError, _on_database_unavailable)
    app.add_exception_handler(Exception, _on_unexpected)
