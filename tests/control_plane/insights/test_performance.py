"""GET /performance/ and /performance/series/ from the real server: an app deployed through
the platform onto its local target and used, the metrics job run before and after (as its
schedule runs it every minute), and seed 000's figures read from the samples; an app that
restarts (its counters start again from zero) and then stops."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from control_plane.insights.jobs.metrics import collect_metrics, prune_metrics
from tests.conftest import fresh_database, start_app
from tests.control_plane.conftest import Api, assert_error, run_job
from tests.control_plane.insights.conftest import new_team, read
from tests.control_plane.runtime.apps_fixture import app_client, make_app
from tests.control_plane.runtime.conftest import deploying, finished, runtime  # noqa: F401
from tests.control_plane.runtime.instance_fixture import register_app
from tests.control_plane.studio.conftest import Team

MEGABYTE = 1024 * 1024


@pytest.fixture(scope="module")
def team(deploying: Api) -> Team:  # noqa: F811  (the fixture imported above)
    return new_team(deploying)


def collect(api: Api) -> None:
    asyncio.run(run_job(api.server.database_url, collect_metrics))


def entries(api: Api, team: Team, role: str = "MEMBER", **filters: Any) -> list[dict[str, Any]]:
    response = read(
        api, "/performance/", team.users[role], organization=team.organization, **filters
    )
    assert response.status_code == 200, response.text
    return list(response.json()["results"])


def test_a_deployed_app_s_figures(
    deploying: Api,  # noqa: F811
    team: Team,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    api, owner = deploying, team.users["OWNER"]
    app = make_app(api, team.organization, monkeypatch)
    deployed = runtime(api, "POST", f"/apps/{app.id}/deploy/", owner, json={})
    assert deployed.status_code == 202, deployed.text
    log = finished(api, owner, deployed.json()["deployment_id"])
    assert log["status"] == "success", log
    with app_client(app, log["deployment_details"]["url"]) as crm:
        for name in ("Ana", "Bea", "Cid"):
            body = {"nom": name, "email": f"{name.lower()}@example.com"}
            assert crm.post("/tables/clients/", json=body).status_code == 201
        collect(api)  # the baseline: what the app counted before is not today's to tell
        for _ in range(8):
            assert crm.get("/tables/clients/").status_code == 200
    assert entries(api, team)  # a request to the control plane between the collections
    collect(api)

    (entry,) = entries(api, team)
    assert (entry["app_id"], entry["environment"]) == (app.id, "production")
    assert entry["project_id"] == app.project_id and entry["name"] == "CRM"
    metrics = entry["metrics"]
    requests = metrics["api_requests"]
    # The 8 requests, and the platform's own, if any: Automation's reader of the app's
    # record events (docs/automation.md) polls it every few seconds.
    assert 8 <= requests["total_today"] <= 12 and requests["error_rate"] == 0
    assert requests["requests_per_minute"] > 0 and requests["average_response_time_ms"] > 0
    database = metrics["database"]
    assert database["connections_active"] >= 1 and database["query_time_avg_ms"] > 0
    assert database["slow_queries_count"] == 0
    assert metrics["cache"] is None
    storage = metrics["storage"]
    assert storage["total_records"] == 3 and storage["storage_used_mb"] > 1
    assert storage["growth_rate_mb_per_day"] is None  # not an hour of samples yet
    assert entry["health_checks"] == {
        "api": "healthy", "database": "healthy", "cache": None, "background_tasks": None
    }  # fmt: skip
    collected = datetime.fromisoformat(entry["collected_at"])
    assert datetime.now(UTC) - collected < timedelta(minutes=1)

    # A day of history: the database was 2 MB smaller yesterday.
    api.query(
        "INSERT INTO insights_metric_samples (organization_id, app_id, environment, metric, at,"
        " value) SELECT organization_id, app_id, environment, metric, at - interval '1 day',"
        " value - %s FROM insights_metric_samples WHERE app_id = %s AND metric = 'storage_bytes'",
        2 * MEGABYTE, uuid.UUID(app.id),
    )  # fmt: skip
    (entry,) = entries(api, team, app=app.id)
    assert entry["metrics"]["storage"]["growth_rate_mb_per_day"] == pytest.approx(2, abs=0.1)
    assert entries(api, team, environment="staging") == []

    platform, app_entry = entries(api, team, "ADMIN")
    assert app_entry["app_id"] == app.id
    assert (platform["name"], platform["app_id"], platform["environment"]) == (
        "control-plane", None, None
    )  # fmt: skip
    assert platform["metrics"]["api_requests"]["total_today"] >= 1
    assert platform["metrics"]["storage"]["storage_used_mb"] > 1
    assert platform["health_checks"]["background_tasks"] == "healthy"
    assert platform["health_checks"]["database"] == "healthy"

    since = (datetime.now(UTC) - timedelta(minutes=10)).isoformat()
    series = read(
        api, "/performance/series/", team.users["MEMBER"],
        app=app.id, metric="requests", interval="minute", since=since,
    ).json()  # fmt: skip
    assert len(series["results"]) in (10, 11)
    assert sum(point["value"] or 0 for point in series["results"]) == requests["total_today"]
    for role, status, code in (
        ("CLIENT", 403, "PERMISSION_DENIED"),
        ("outsider", 404, "NOT_FOUND"),
    ):
        user = team.users[role]
        assert_error(read(api, "/performance/", user, organization=team.organization), status, code)
        assert_error(
            read(api, "/performance/series/", user, app=app.id, metric="requests"),
            status if role == "CLIENT" else 404, code,
        )  # fmt: skip


def test_a_restart_counts_on_and_a_stopped_app_is_reported(
    deploying: Api,  # noqa: F811
    team: Team,
    crm_dir: Path,
    pg_server: str,
) -> None:
    api = deploying
    first = start_app(crm_dir, fresh_database(pg_server))
    app_id = register_app(api, team.organization, first, environment="staging")
    collect(api)
    for _ in range(10):
        assert httpx.get(f"{first.api}tables/clients/", headers=first.headers()).status_code == 200
    collect(api)
    first.process.terminate()
    first.process.wait(timeout=30)
    again = start_app(crm_dir, first.database_url)  # its counters start from zero
    try:
        api.query("UPDATE runtime_instances SET url = %s WHERE app_id = %s", again.base_url, app_id)
        for _ in range(3):
            assert (
                httpx.get(f"{again.api}tables/clients/", headers=again.headers()).status_code == 200
            )
        collect(api)
        (entry,) = entries(api, team, app=str(app_id))
        total = entry["metrics"]["api_requests"]["total_today"]
        assert 13 <= total <= 18  # not 3, nor negative: the restart is seen (and event polls)
    finally:
        again.process.terminate()
        again.process.wait(timeout=30)
    collect(api)  # the app is gone: the pass goes on
    (entry,) = entries(api, team, app=str(app_id))
    assert entry["health_checks"]["api"] == "unreachable"
    assert entry["health_checks"]["database"] is None
    assert entry["metrics"]["api_requests"]["total_today"] == total


def test_samples_older_than_the_retention_are_pruned(deploying: Api) -> None:  # noqa: F811
    api = deploying
    app = uuid.uuid4()
    for days in (91, 89):  # INSIGHTS_RETENTION_DAYS: 90
        api.query(
            "INSERT INTO insights_metric_samples (app_id, environment, metric, at, value)"
            " VALUES (%s, 'production', 'requests', now() - make_interval(days => %s), 1)",
            app, days,
        )  # fmt: skip
    job = asyncio.run(run_job(api.server.database_url, prune_metrics))
    assert job.log[-1].line.startswith("deleted ")
    kept = api.query(
        "SELECT round(extract(epoch FROM now() - at) / 86400) FROM insights_metric_samples"
        " WHERE app_id = %s",
        app,
    )
    assert kept == [(89,)]
