"""Insights reports at scale: 10 million events over 60 days, and the reports through the
HTTP API.

    .venv/bin/python -m bench.insights_reports [--events 10000000] [--runs 9] [--hold]

Loads one organisation's events straight into PostgreSQL (generate_series, day by day,
then the two rollups from them, as the writer keeps them): about 50 names of skewed
frequency, 100,000 distinct ids of skewed activity, three projects, and a funnel
(view_pricing -> signup -> purchase: 40% sign up within days, 30% of those buy). Then
times, through `nocode serve` and real HTTP, the daily counts over 30 days, the top events,
the funnel and retention: the first request (the daily counts store each day's unique
users then), and the median and p95 of `--runs` more. Prints a
markdown table and writes bench/results/insights_reports.json. `--hold` keeps the
database up afterwards (its URL printed) for EXPLAIN ANALYZE, until Ctrl+C.
"""

from __future__ import annotations

import argparse
import json
import signal
import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from bench.harness.config import RESULTS_DIR, WORK_DIR
from bench.harness.pg import PgServer, start_postgres
from bench.harness.runner import cpu_busy
from tests.control_plane.conftest import Api, Inbox, Server, serve
from tests.control_plane.insights.reporting import record_events

DAYS = 60
DISTINCT_IDS = 100_000
FUNNEL = ("view_pricing", "signup", "purchase")
FUNNEL_STARTS_PER_DAY = 4_000
LIVE = "counts (day, 30 days), an event tracked before each"

# One day of background events: a name among ~50 (event_00 most frequent), a distinct id
# among 100,000 (low numbers most active), one of three projects, a second of the day.
_DAY_OF_EVENTS = """
INSERT INTO insights_events (organization_id, project_id, kind, name, distinct_id,
                             properties, occurred_at)
SELECT %(organization)s, (%(projects)s::uuid[])[1 + i %% 3], 'event',
       'event_' || lpad(floor(pow(random(), 3) * 50)::int::text, 2, '0'),
       'user_' || floor(pow(random(), 2) * %(ids)s)::int,
       jsonb_build_object('plan', CASE WHEN random() < 0.2 THEN 'pro' ELSE 'free' END),
       %(day)s::timestamptz + random() * interval '1 day'
FROM generate_series(1, %(count)s) AS i
"""

# The funnel's starts of one day, and those who go on (within 0-5 days, then 0-3 more).
_DAY_OF_FUNNEL = """
WITH starts AS (
    SELECT 'user_' || floor(random() * %(ids)s)::int AS distinct_id,
           %(day)s::timestamptz + random() * interval '1 day' AS at,
           random() AS signs_up, random() AS buys
    FROM generate_series(1, %(starts)s)
), steps AS (
    SELECT distinct_id, 'view_pricing' AS name, at FROM starts
    UNION ALL
    SELECT distinct_id, 'signup', at + random() * interval '5 days' FROM starts
    WHERE signs_up < 0.4
    UNION ALL
    SELECT distinct_id, 'purchase', at + interval '5 days' + random() * interval '3 days'
    FROM starts WHERE signs_up < 0.4 AND buys < 0.3
)
INSERT INTO insights_events (organization_id, project_id, kind, name, distinct_id, occurred_at)
SELECT %(organization)s, (%(projects)s::uuid[])[1], 'event', name, distinct_id, at
FROM steps WHERE at < %(end)s
"""

_COUNTS = """
INSERT INTO insights_event_counts (organization_id, project_id, name, hour, events)
SELECT organization_id, project_id, name, date_trunc('hour', occurred_at), count(*)
FROM insights_events
WHERE organization_id = %(organization)s AND occurred_at >= %(day)s AND occurred_at < %(next)s
GROUP BY 1, 2, 3, 4
"""
_USERS = """
INSERT INTO insights_event_users (organization_id, project_id, name, day, distinct_id, first_at)
SELECT organization_id, project_id, name, %(day)s::date, distinct_id, min(occurred_at)
FROM insights_events
WHERE organization_id = %(organization)s AND occurred_at >= %(day)s AND occurred_at < %(next)s
GROUP BY 1, 2, 3, 4, 5
"""
# The rollups are made again from every event of the organisation, the activities the
# platform wrote for it while the bench set it up (its projects' creation) included.
_FORGET_ROLLUPS = (
    "DELETE FROM insights_event_counts WHERE organization_id = %(organization)s",
    "DELETE FROM insights_event_users WHERE organization_id = %(organization)s",
)


def load(pg: PgServer, database: str, organization: str, projects: list[str], events: int) -> None:
    first = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    first -= timedelta(days=DAYS - 1)
    end = first + timedelta(days=DAYS)
    funnel_per_day = int(FUNNEL_STARTS_PER_DAY * 1.52)  # starts + 40% + 12%
    background = max(events // DAYS - funnel_per_day, 1)
    values: dict[str, Any] = {
        "organization": organization,
        "projects": projects,
        "ids": DISTINCT_IDS,
        "count": background,
        "starts": FUNNEL_STARTS_PER_DAY,
        "end": end,
    }
    started = time.monotonic()
    with pg.connect(database) as connection:
        connection.execute("SET TIME ZONE 'UTC'")
        connection.execute("SET synchronous_commit = off")
        connection.execute(
            "SELECT insights_ensure_partition(%(first)s::date + d) "
            "FROM generate_series(0, %(days)s) AS d",
            {"first": first, "days": DAYS + 8},
        )
        for offset in range(DAYS):
            day = first + timedelta(days=offset)
            connection.execute(_DAY_OF_EVENTS, {**values, "day": day})
            connection.execute(_DAY_OF_FUNNEL, {**values, "day": day})
            print(f"\rloading: day {offset + 1}/{DAYS}", end="", flush=True)
        for statement in _FORGET_ROLLUPS:
            connection.execute(statement, values)
        for offset in range(DAYS + 8):
            day = first + timedelta(days=offset)
            bounds = {"organization": organization, "day": day, "next": day + timedelta(days=1)}
            connection.execute(_COUNTS, bounds)
            connection.execute(_USERS, bounds)
        connection.execute("VACUUM ANALYZE insights_events")
        connection.execute("VACUUM ANALYZE insights_event_counts")
        connection.execute("VACUUM ANALYZE insights_event_users")
        [(stored,)] = connection.execute("SELECT count(*) FROM insights_events").fetchall()
        [(users,)] = connection.execute("SELECT count(*) FROM insights_event_users").fetchall()
    print(f"\rloaded {stored:,} events ({users:,} daily-user rows) in "
          f"{time.monotonic() - started:.0f} s")  # fmt: skip


REPORTS: dict[str, dict[str, Any]] = {
    "counts (day, 30 days)": {"report": "counts"},
    # As in use: an event arrives before each request, so today's users are counted again.
    LIVE: {"report": "counts"},
    "counts per event (3 names, day, 30 days)": {
        "report": "counts",
        "event": ["event_00", "event_01", "signup"],
    },
    "top_events (30 days)": {"report": "top_events"},
    "top_events with unique users (30 days)": {"report": "top_events", "unique_users": "true"},
    "funnel (3 steps, 30 days)": {"report": "funnel", "steps": ",".join(FUNNEL)},
    "retention (60 days)": {"report": "retention", "since_days": DAYS},
    "counts, properties filter (30 days)": {
        "report": "counts",
        "event": ["signup"],
        "properties": json.dumps({"plan": "pro"}),
    },
}


def measure(
    server: Server, headers: dict[str, str], organization: str, runs: int
) -> list[dict[str, Any]]:
    event = {"organization_id": organization, "name": "event_00", "distinct_id": "user_new"}
    rows = []
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=120) as http:
        for label, parameters in REPORTS.items():
            params = {"organization": organization, **parameters}
            if "since_days" in params:
                since = datetime.now(UTC) - timedelta(days=params.pop("since_days"))
                params["since"] = since.isoformat()
            timings = []
            for _ in range(runs + 1):
                if label == LIVE:
                    now = datetime.now(UTC).isoformat()
                    record_events(server.database_url, [{**event, "occurred_at": now}])
                started = time.perf_counter()
                response = http.get("/api/v1/insights/analytics/", params=params)
                timings.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, response.text
            first = timings.pop(0)  # a warm-up; the daily counts store their users then
            timings.sort()
            p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
            body = response.json()
            rows.append(
                {
                    "report": label,
                    "source": body["source"],
                    "results": len(body["results"]),
                    "first_ms": round(first, 1),
                    "median_ms": round(statistics.median(timings), 1),
                    "p95_ms": round(p95, 1),
                }
            )
            print(f"{label}: {rows[-1]}")
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--hold", action="store_true")
    args = parser.parse_args()
    pg = start_postgres(WORK_DIR / "insights-pg")
    database = "bench_insights"
    pg.recreate_database(database)
    server = serve(pg.uri(database), None, WORK_DIR / "insights-serve", workers=1)
    try:
        api = Api(server, Inbox())  # no invitations: an inbox that never receives
        owner = api.new_user("bench")
        organization = api.new_organization(owner, "Bench")
        studio = httpx.Client(base_url=f"{server.base_url}/api/v1/studio", headers=owner.headers)
        projects = [
            studio.post(
                "/projects/", json={"name": f"P{n}", "organization_id": organization}
            ).json()["id"]
            for n in range(3)
        ]
        load(pg, database, organization, projects, args.events)
        busy = round(cpu_busy(2.0), 2)
        rows = measure(server, owner.headers, organization, args.runs)
        print(f"\n{args.events:,} events over {DAYS} days; CPU busy before: {busy}\n")
        print("| report | read from | first ms | median ms | p95 ms |")
        print("| --- | --- | ---: | ---: | ---: |")
        for row in rows:
            figures = f"{row['first_ms']} | {row['median_ms']} | {row['p95_ms']}"
            print(f"| {row['report']} | {row['source']} | {figures} |")
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        output = RESULTS_DIR / "insights_reports.json"
        output.write_text(
            json.dumps({"events": args.events, "busy_before": busy, "reports": rows}, indent=2)
        )
        if args.hold:
            print(f"holding: {pg.uri(database)}", flush=True)
            stops = {signal.SIGINT, signal.SIGTERM}
            signal.pthread_sigmask(signal.SIG_BLOCK, stops)
            signal.sigwait(stops)
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
