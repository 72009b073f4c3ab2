"""The admin's assets as the app's server (granian) sends them."""

from __future__ import annotations

import httpx

from tests.conftest import RunningApp

HTMX = "/admin/static/htmx-2.0.11.min.js"


def test_assets_are_sent_compressed_and_revalidated(crm: RunningApp) -> None:
    with httpx.Client(base_url=crm.base_url) as client:
        response = client.get(HTMX, headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200
        assert response.headers["content-encoding"] == "gzip"
        assert response.num_bytes_downloaded < len(response.content) / 2
        assert response.headers["cache-control"] == "no-cache"
        etag = response.headers["etag"]
        again = client.get(HTMX, headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
        assert again.status_code == 304
        plain = client.get(HTMX, headers={"Accept-Encoding": "identity"})
        assert "content-encoding" not in plain.headers and plain.content == response.content
