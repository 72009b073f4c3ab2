"""JSON requests by hand, to set a benchmark up (an account, a token, an organisation)."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Mapping
from typing import Any


def post_json(url: str, body: Mapping[str, Any], headers: Mapping[str, str] = {}) -> dict[str, Any]:
    """POST `body` as JSON; the answer's JSON object (an HTTP error raises)."""
    request = urllib.request.Request(
        url, json.dumps(body).encode(), {"Content-Type": "application/json", **headers}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return dict(json.loads(response.read() or b"{}"))
