"""Insights through the client, typed: events tracked one by one and in a batch, the
activity feed (the platform's own activities among them), reports over them, their
exports and dashboards, the apps' performance and the platform's system metrics."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from client_fixtures import Account

from nocode_client import BadRequest, NoCodeClient
from nocode_client.models import Activity


def test_events_tracked_one_by_one_and_in_a_batch(account: Account, client: NoCodeClient) -> None:
    organization = account.organization
    one = client.track(
        "signup", organization_id=organization, distinct_id="anon-1", properties={"plan": "pro"}
    )
    assert one.accepted == 1
    batch = [
        {"event": "page_view", "organization_id": organization, "distinct_id": f"anon-{n}"}
        for n in range(3)
    ] + [{"event": "signup", "organization_id": organization, "distinct_id": "anon-2"}]
    assert client.track_batch(batch).accepted == 4
    with pytest.raises(BadRequest) as refused:
        client.track_batch([{"event": "x", "organization_id": organization, "timestamp": "soon"}])
    assert "events[0].timestamp" in refused.value.details


def test_the_activity_feed_has_ours_and_the_platforms(
    account: Account, client: NoCodeClient
) -> None:
    organization = account.organization
    ours = client.create_activity(
        {"organization_id": organization, "name": "report.exported", "properties": {"rows": 3}}
    )
    assert ours.source == "api" and str(ours.actor) == account.user.id
    found = list(client.iter_activities(organization=organization, name="report.exported"))
    assert [activity.id for activity in found] == [ours.id]

    # The platform's own: the organisation's creation, collected within seconds.
    created = wait_for_activity(client, organization, "organization.create")
    assert created.source == "audit_log"


def wait_for_activity(client: NoCodeClient, organization: str, name: str) -> Activity:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        page = client.list_activities(organization=organization, name=name)
        if page.results:
            return page.results[0]
        time.sleep(0.2)
    raise AssertionError(f"no {name} activity within 20 s")


def test_reports_over_tracked_events_their_exports_and_dashboards(client: NoCodeClient) -> None:
    # An organisation of its own, so that only these events count.
    organization = client.create_organization({"name": "Reports"}).id
    visits = [
        {"event": "page_view", "organization_id": organization, "distinct_id": f"v{n}"}
        for n in range(3)
    ]
    signup = {"event": "signup", "organization_id": organization, "distinct_id": "v1"}
    client.track_batch([*visits, {**signup, "properties": {"plan": "pro"}}])

    since = datetime.now(UTC) - timedelta(days=1)
    events = ["page_view", "signup"]
    top = client.analytics(organization, "top_events", since=since, event=events)
    assert {row["event"]: row["users"] for row in top.results} == {
        "page_view": None,
        "signup": None,
    }
    top = client.analytics(organization, "top_events", since=since, event=events, unique_users=True)
    assert {row["event"]: row["users"] for row in top.results} == {"page_view": 3, "signup": 1}
    assert top.scope == "organization" and top.report == "top_events"
    funnel = client.analytics(organization, "funnel", steps=["page_view", "signup"], since=since)
    assert [row["users"] for row in funnel.results] == [3, 1]
    pro = client.analytics(
        organization, "counts", event="signup", properties={"plan": "pro"}, since=since
    )
    assert sum(row["events"] for row in pro.results) == 1

    csv = client.export(organization, "csv", report="top_events", since=since)
    assert csv.filename is not None and csv.filename.endswith(".csv")
    assert csv.content.decode().splitlines()[0].startswith("event")
    pdf = client.export(organization, "pdf", report="top_events", since=since)
    assert pdf.content.startswith(b"%PDF") and pdf.content_type == "application/pdf"

    dashboard = client.create_dashboard(
        {
            "organization_id": organization,
            "name": "Usage",
            "reports": [{"title": "Top", "query": {"report": "top_events", "limit": 5}}],
        }
    )
    read = client.get_dashboard(dashboard.id)
    assert read.reports[0]["result"]["report"] == "top_events"
    assert (
        client.update_dashboard(dashboard.id, {"name": "Usage (weekly)"}).name == "Usage (weekly)"
    )
    assert [found.id for found in client.iter_dashboards(organization=organization)] == [
        dashboard.id
    ]
    client.delete_dashboard(dashboard.id)
    client.delete_organization(organization)


def test_performance_and_system_metrics(account: Account, client: NoCodeClient) -> None:
    performance = client.list_performance(account.organization)
    assert all(
        entry.metrics.keys() >= {"api_requests", "database"} for entry in performance.results
    )
    everything = list(client.iter_performance(account.organization, page_size=1))
    assert len(everything) == performance.count
    series = client.performance_series("requests", organization=account.organization)
    assert series.metric == "requests" and series.until > series.since
    system = client.system_metrics(account.organization)
    assert system.control_plane["cpu_count"] >= 1 and system.jobs["workers_alive"] >= 1
