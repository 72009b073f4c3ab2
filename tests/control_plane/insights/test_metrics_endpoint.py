"""The control plane's own /metrics (control_plane/metrics.py), from `nocode serve` with a
worker per CPU: requests by route template and status, whichever worker answers the scrape;
the job queue, the workers and the database, read when it is scraped."""

from __future__ import annotations

import uuid

import httpx

from tests.control_plane.conftest import Api
from tests.control_plane.insights.metrics_text import samples

REQUESTS = "control_plane_http_requests_total"


def test_requests_are_counted_by_route_template_in_every_scrape(api: Api) -> None:
    user = api.new_user("metrics")
    missing = f"{api.server.base_url}/api/v1/foundation/organizations/{uuid.uuid4()}/"
    close = {"Connection": "close"}  # a connection each: the requests reach both workers
    for _ in range(30):
        response = httpx.get(missing, headers={**user.headers, **close})
        assert response.status_code == 404
    route = "/api/v1/foundation/organizations/{organization_id}/"
    for _ in range(6):
        text = httpx.get(f"{api.server.base_url}/metrics", headers=close).text
        assert sum(samples(text, REQUESTS, route=route, status="404", method="GET")) >= 30
        assert not [line for line in text.splitlines() if missing.rsplit("/", 2)[-2] in line]


def test_the_queue_workers_and_database_are_read_on_a_scrape(api: Api) -> None:
    text = httpx.get(f"{api.server.base_url}/metrics").text
    assert samples(text, "control_plane_workers_alive") >= [1]
    assert samples(text, "control_plane_jobs_queued") >= [0]
    assert samples(text, "control_plane_jobs_oldest_queued_seconds") >= [0]
    assert samples(text, "control_plane_db_size_bytes")[0] > 1_000_000
    assert sum(samples(text, "control_plane_db_connections")) >= 2  # the pools' others
    assert samples(text, "control_plane_http_request_duration_seconds_count", route="/health")
