"""The generated app's /metrics under a server of several workers: whichever worker
answers a scrape reports the requests of them all (prometheus_client's multiprocess mode,
in a folder `python -m app serve` gives its workers)."""

from __future__ import annotations

from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import fresh_database, start_app

PROBES = 40


def health_requests(metrics: str) -> float:
    return sum(
        sample.value
        for family in text_string_to_metric_families(metrics)
        for sample in family.samples
        if sample.name == "app_http_requests_total" and sample.labels["route"] == "/health"
    )


def test_each_scrape_counts_every_worker_s_requests(crm_dir: Path, pg_server: str) -> None:
    app = start_app(crm_dir, fresh_database(pg_server), workers=2)
    try:
        # A connection each: the kernel spreads them over both workers (SO_REUSEPORT).
        close = {"Connection": "close"}
        for _ in range(PROBES):
            assert httpx.get(f"{app.base_url}/health", headers=close).status_code == 200
        for _ in range(6):
            metrics = httpx.get(f"{app.base_url}/metrics", headers=close).text
            assert health_requests(metrics) >= PROBES + 1  # start_app's own probe too
    finally:
        app.process.terminate()
        app.process.wait(timeout=30)
