"""services/health.py against the CRM served for real (tests/conftest.py `crm`): its
/health and /metrics read as the status endpoint shows them; an app that does not answer is
unreachable, within the probe's timeout."""

from __future__ import annotations

import asyncio
import time

import httpx

from control_plane.runtime.services.health import TIMEOUT_SECONDS, probe
from tests.conftest import RunningApp, free_port


def test_a_running_app_s_health_and_performance(crm: RunningApp) -> None:
    with httpx.Client(base_url=crm.api, headers=crm.headers(), timeout=10) as client:
        for _ in range(3):
            assert client.get("tables/clients/").status_code == 200
        assert client.get("tables/nothing/").status_code == 404  # an answer, not an error
    health, performance = asyncio.run(probe(crm.base_url))
    assert (health.overall, health.database, health.api) == ("healthy", "ok", "responding")
    assert performance.requests is not None and performance.requests >= 4
    assert performance.error_rate == 0
    assert performance.response_time_ms is not None and performance.response_time_ms > 0


def test_an_app_that_does_not_answer_is_unreachable() -> None:
    started = time.monotonic()
    health, performance = asyncio.run(probe(f"http://127.0.0.1:{free_port()}"))
    assert (health.overall, health.api) == ("unreachable", "not_responding")
    assert performance.requests is None and performance.error_rate is None
    assert time.monotonic() - started < TIMEOUT_SECONDS + 1
