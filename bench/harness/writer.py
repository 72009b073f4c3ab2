"""A steady background write load beside a measured wrk run: an open loop that sends
`rate` requests a second on schedule, whatever the server's latency (a closed loop such as
one paced wrk connection would slow down exactly when the server is busy)."""

from __future__ import annotations

import random
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor

from .config import ROWS
from .wrk import Request


class SteadyWriter:
    """Sends `request` (its {id} a random seeded row) `rate` times a second for `duration`
    seconds from a background thread; `result()` waits for the end and returns the rate
    of 2xx answers and the number of other outcomes."""

    def __init__(
        self,
        base_url: str,
        request: Request,
        headers: Mapping[str, str],
        *,
        rate: float,
        duration: float,
    ) -> None:
        self._base_url, self._request, self._headers = base_url, request, dict(headers)
        self._rate, self._duration = rate, duration
        self._ok = self._failed = 0
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _send(self, row_id: int) -> None:
        path, body = self._request.render(row_id, f"w{row_id}")
        data = body.encode() if body else None
        headers = {**self._headers, **({"Content-Type": "application/json"} if data else {})}
        req = urllib.request.Request(
            self._base_url + path, data=data, method=self._request.method, headers=headers
        )
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                resp.read()
                ok = 200 <= resp.status < 300
        except (urllib.error.URLError, OSError):
            ok = False
        with self._lock:
            if ok:
                self._ok += 1
            else:
                self._failed += 1

    def _run(self) -> None:
        started = time.monotonic()
        count = int(self._rate * self._duration)
        with ThreadPoolExecutor(max_workers=16) as pool:
            for index in range(count):
                wait = started + index / self._rate - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                pool.submit(self._send, random.randint(1, ROWS))

    def result(self) -> tuple[float, int]:
        """(2xx answers per second, failed requests)."""
        self._thread.join()
        with self._lock:
            return self._ok / self._duration, self._failed
