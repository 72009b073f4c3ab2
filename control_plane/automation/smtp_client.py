"""An SMTP integration's server (provider `smtp`: host, port, security starttls, ssl or
none, username and password), through the standard library's smtplib: blocking, so
callers run it in a thread."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

TIMEOUT_SECONDS = 30
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}


@contextmanager
def session(values: Mapping[str, Any], timeout: float = TIMEOUT_SECONDS) -> Iterator[smtplib.SMTP]:
    """A connection to the server, secured and logged in as the integration says."""
    security = str(values.get("security", "starttls"))
    host, port = str(values["host"]), int(values.get("port", DEFAULT_PORTS[security]))
    client = smtplib.SMTP_SSL if security == "ssl" else smtplib.SMTP
    with client(host, port, timeout=timeout) as smtp:
        if security == "starttls":
            smtp.starttls()
        if values.get("username") and values.get("password"):
            smtp.login(str(values["username"]), str(values["password"]))
        yield smtp
