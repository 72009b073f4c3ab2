"""Errors: every answer of the platform that is not a success, raised as an exception that
carries the seed's envelope (`{"error", "details", "code"}`) and the HTTP status.

NoCodeError
├── BadRequest (400)
├── NotAuthenticated (401)
├── Forbidden (403)
├── NotFound (404)
├── Conflict (409)
├── RateLimited (429)
└── Unavailable (502, 503, 504: the platform or the app behind it)
"""

from __future__ import annotations

from typing import Any

import httpx


class NoCodeError(Exception):
    """An answer with an error status. `code` is the envelope's (`VALIDATION_ERROR`,
    `LIMIT_REACHED`, `DEPLOY_001`...), `details` its per-field problems."""

    def __init__(
        self,
        status: int,
        message: str,
        code: str,
        details: dict[str, Any],
        response: httpx.Response | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {message}" + (f" {details}" if details else ""))
        self.status = status
        self.message = message
        self.code = code
        self.details = details
        self.response = response

    @property
    def retry_after(self) -> float | None:
        """Seconds the server asks to wait before trying again (`Retry-After`, sent with a
        429 or a 503), when it says."""
        value = self.response.headers.get("Retry-After") if self.response else None
        try:
            return float(value) if value is not None else None
        except ValueError:
            return None


class BadRequest(NoCodeError):
    pass


class NotAuthenticated(NoCodeError):
    pass


class Forbidden(NoCodeError):
    pass


class NotFound(NoCodeError):
    pass


class Conflict(NoCodeError):
    pass


class RateLimited(NoCodeError):
    pass


class Unavailable(NoCodeError):
    """The platform, its database or the app it forwards to is down or slow."""


BY_STATUS: dict[int, type[NoCodeError]] = {
    400: BadRequest,
    401: NotAuthenticated,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    429: RateLimited,
    502: Unavailable,
    503: Unavailable,
    504: Unavailable,
}


def error_from(response: httpx.Response) -> NoCodeError:
    """The exception for an error answer: the envelope's fields when the body is one,
    else the status and the body's first characters (a proxy's HTML page, say)."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and {"error", "code"} <= body.keys():
        message, code = str(body["error"]), str(body["code"])
        details = body.get("details") if isinstance(body.get("details"), dict) else {}
    else:
        message, code, details = response.text[:200], f"HTTP_{response.status_code}", {}
    kind = BY_STATUS.get(response.status_code, NoCodeError)
    return kind(response.status_code, message, code, dict(details or {}), response)
