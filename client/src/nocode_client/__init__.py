"""The nocode platform's API from Python (seed 001, "Python Client"): `NoCodeClient` and
`AsyncNoCodeClient`, the same methods, blocking or awaited."""

from nocode_client._async import AsyncNoCodeClient
from nocode_client._errors import (
    BadRequest,
    Conflict,
    Forbidden,
    NoCodeError,
    NotAuthenticated,
    NotFound,
    RateLimited,
    Unavailable,
)
from nocode_client._sync import NoCodeClient

__all__ = [
    "AsyncNoCodeClient",
    "BadRequest",
    "Conflict",
    "Forbidden",
    "NoCodeClient",
    "NoCodeError",
    "NotAuthenticated",
    "NotFound",
    "RateLimited",
    "Unavailable",
]
