"""bench/admin.py's measurements run against the served CRM: one round of every view, and
the assets weighed (the benchmark itself seeds 100,000 rows and runs 20 rounds)."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from playwright.sync_api import Browser

from bench.admin import VIEWS
from bench.harness.admin.assets import shipped, weigh
from bench.harness.admin.timing import time_views
from bench.harness.pg import SEED_SQL
from tests.conftest import RunningApp


@pytest.fixture
def seeded_crm(empty_crm: RunningApp) -> Iterator[RunningApp]:
    """The CRM with the benchmark's produits, enough of them for its page 500."""
    with psycopg.connect(empty_crm.database_url, autocommit=True) as connection:
        connection.execute(SEED_SQL.format(rows=10_100))
    yield empty_crm
    with psycopg.connect(empty_crm.database_url, autocommit=True) as connection:
        connection.execute("TRUNCATE produits RESTART IDENTITY CASCADE")


def test_every_view_is_timed_and_the_assets_weighed(
    browser: Browser, seeded_crm: RunningApp
) -> None:
    token = seeded_crm.headers()["Authorization"].removeprefix("Bearer ")
    timings, asset_urls = time_views(browser, seeded_crm.base_url, token, VIEWS, runs=1, warmups=0)
    for view in timings:
        assert view.unavailable is None and view.problems == [], view.view.name
        (figures,) = view.runs
        painted = figures["results_painted_ms"]
        assert painted is not None and figures["results_in_dom_ms"] is not None
        received, parsed = figures["response_end_ms"] or 0, figures["dom_content_loaded_ms"] or 0
        assert 0 < received <= parsed <= painted
    assert {url.rsplit("/", 1)[-1] for url in asset_urls} >= {"admin.css", "htmx-2.0.11.min.js"}
    every_asset = weigh(asset_urls | shipped(seeded_crm.base_url, seeded_crm.app_dir))
    assets = {asset.url.rsplit("/", 1)[-1]: asset for asset in every_asset}
    assert "form.js" in assets and "LICENSES.md" not in assets
    htmx = assets["htmx-2.0.11.min.js"]
    assert htmx.content_encoding == "gzip" and htmx.served_bytes < htmx.raw_bytes / 2
