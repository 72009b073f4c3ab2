"""Insights through the client, typed: the apps' performance and the platform's system
metrics."""

from __future__ import annotations

from client_fixtures import Account

from nocode_client import NoCodeClient


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
