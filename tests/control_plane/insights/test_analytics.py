"""GET /api/v1/insights/analytics/ against the real server, over the events of `story_events`
(tests/control_plane/insights/reporting.py): each report's figures, from the rollups and
from the raw events, who sees what, and bad parameters."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any

from tests.control_plane.conftest import Api, User, assert_error
from tests.control_plane.insights.conftest import Insights
from tests.control_plane.insights.reporting import DAY, STORY_END, Story, at


def _report(insights: Insights, by: User, organization: str, **params: Any) -> dict[str, Any]:
    """The report over the story's period (the last 30 days before its end, by default)."""
    return insights.report(by, organization, **{"until": STORY_END, **params})


def _by_period(results: list[dict[str, Any]]) -> dict[date, tuple[int, int]]:
    return {
        datetime.fromisoformat(row["period"]).date(): (row["events"], row["users"])
        for row in results
        if row["events"]
    }


def _day(offset: int) -> date:
    return (DAY + timedelta(days=offset)).date()


def test_daily_counts_from_the_rollups_with_every_day_of_the_period(
    insights: Insights, story: Story
) -> None:
    owner = story.team.owner
    report = _report(insights, owner, story.organization, report="counts")
    assert report["source"] == "rollups" and report["scope"] == "organization"
    assert len(report["results"]) in (30, 31)  # every day, zeros included
    assert _by_period(report["results"]) == {
        _day(0): (8, 4),
        _day(1): (3, 2),
        _day(2): (1, 1),
        _day(8): (1, 1),
        _day(20): (1, 1),
    }
    in_project = _report(
        insights, owner, story.organization, report="counts", project=story.project
    )
    assert _day(2) not in _by_period(in_project["results"])


def test_counts_per_event_per_hour_and_week(insights: Insights, story: Story) -> None:
    owner, org = story.team.owner, story.organization
    split = _report(insights, owner, org, report="counts", event=["signup", "purchase"])
    per_event = {
        (row["period"][:10], row["event"]): (row["events"], row["users"])
        for row in split["results"]
        if row["events"]
    }
    assert per_event == {
        (str(_day(0)), "signup"): (4, 4),
        (str(_day(0)), "purchase"): (1, 1),
        (str(_day(1)), "signup"): (1, 1),
        (str(_day(1)), "purchase"): (1, 1),
    }
    since, until = DAY.isoformat(), (DAY + timedelta(days=1)).isoformat()
    hourly = _report(
        insights, owner, org, report="counts", interval="hour", since=since, until=until
    )
    assert hourly["source"] == "events" and len(hourly["results"]) == 24
    hours = {row["period"][11:13]: (row["events"], row["users"]) for row in hourly["results"]}
    assert hours["10"] == (2, 2) and hours["11"] == (2, 2) and hours["12"] == (2, 1)
    # Whole weeks from day 0's to a Monday before day 20: days 0, 1, 2 and 8.
    weekly = _report(
        insights, owner, org, report="counts", interval="week", since=since, until=at(13, 0)
    )
    assert sum(row["events"] for row in weekly["results"]) == 13
    assert all(datetime.fromisoformat(r["period"]).weekday() == 0 for r in weekly["results"])


def test_top_events_with_unique_users_and_a_limit(insights: Insights, story: Story) -> None:
    report = _report(insights, story.team.owner, story.organization, report="top_events")
    top = [(row["event"], row["events"], row["users"]) for row in report["results"]]
    assert top == [("view", 7, 5), ("signup", 5, 5), ("purchase", 2, 2)]
    first = _report(insights, story.team.owner, story.organization, report="top_events", limit=1)
    assert [row["event"] for row in first["results"]] == ["view"]


def test_funnel_counts_steps_in_order_within_the_window(insights: Insights, story: Story) -> None:
    def funnel(**params: Any) -> list[tuple[int, float | None, float | None]]:
        report = _report(insights,
            story.team.owner, story.organization, report="funnel",
            steps="signup,view,purchase", **params,
        )  # fmt: skip
        assert report["source"] == "events"
        return [(s["users"], s["from_previous"], s["from_first"]) for s in report["results"]]

    assert funnel() == [(5, None, None), (4, 0.8, 0.8), (1, 0.25, 0.2)]
    assert funnel(window_days=7) == [(5, None, None), (3, 0.6, 0.6), (1, 0.3333, 0.2)]


def test_retention_by_cohort_week(insights: Insights, story: Story) -> None:
    report = _report(insights, story.team.owner, story.organization, report="retention")
    cohorts = {row["cohort"]: row for row in report["results"]}
    monday = DAY.date() - timedelta(days=DAY.weekday())

    def week_of(offset: int) -> int:
        return ((_day(offset) - monday).days) // 7

    # u1..u4 start on day 0; the CLIENT on day 1, in day 0's week or the next.
    first = cohorts[str(monday)]
    starters = 5 if week_of(1) == 0 else 4
    assert first["users"] == first["active"][0] == starters
    assert first["active"][week_of(8)] >= 1  # u4 came back
    assert first["active"][week_of(20)] == 1  # u4 again
    assert first["shares"][week_of(20)] == round(1 / starters, 4)
    assert sum(cohort["users"] for cohort in cohorts.values()) == 5


def test_properties_filter_reads_the_raw_events(insights: Insights, story: Story) -> None:
    pro = json.dumps({"plan": "pro"})
    owner, org = story.team.owner, story.organization
    report = _report(insights, owner, org, report="top_events", properties=pro)
    assert report["source"] == "events"
    assert {(r["event"], r["events"], r["users"]) for r in report["results"]} == {
        ("purchase", 1, 1),
        ("view", 1, 1),
    }
    counts = _report(insights, owner, org, report="counts", properties=pro)
    assert _by_period(counts["results"]) == {_day(1): (2, 2)}


def test_a_client_gets_the_report_over_their_own_events(insights: Insights, story: Story) -> None:
    client = story.team.users["CLIENT"]
    counts = _report(insights, client, story.organization, report="counts")
    assert counts["scope"] == "own" and counts["source"] == "events"
    assert _by_period(counts["results"]) == {_day(1): (2, 1)}
    funnel = _report(insights, client, story.organization, report="funnel", steps="signup,view")
    assert [step["users"] for step in funnel["results"]] == [1, 1]
    member = _report(insights, story.team.users["MEMBER"], story.organization, report="top_events")
    assert member["scope"] == "organization"


def test_nothing_crosses_organisations(insights: Insights, story: Story, api: Api) -> None:
    stranger = api.new_user("stranger")
    response = insights.get(
        "/analytics/", stranger, organization=story.organization, report="counts"
    )
    assert_error(response, 404, "NOT_FOUND")
    own_org = api.new_organization(stranger, "Empty")
    empty = _report(insights, stranger, own_org, report="top_events")
    assert empty["results"] == []


def test_bad_parameters_are_named(insights: Insights, story: Story) -> None:
    owner, org = story.team.owner, story.organization

    def refused(**params: Any) -> dict[str, Any]:
        response = insights.get("/analytics/", owner, organization=org, **params)
        return assert_error(response, 400, "VALIDATION_ERROR")

    assert "report" in refused(report="pie")
    assert "interval" in refused(report="counts", interval="minute")
    assert "steps" in refused(report="funnel", steps="signup")
    assert "steps" in refused(report="funnel", steps="signup,signup")
    assert "properties" in refused(report="counts", properties="[1]")
    assert "properties" in refused(report="counts", properties="{not json")
    assert "since" in refused(report="counts", since="yesterday")
    assert "until" in refused(report="counts", until="9999-12-31T23:59:59")
    assert "properties" in refused(report="counts", properties='{"score": NaN}')
    assert "since" in refused(report="counts", since="2026-01-02", until="2026-01-01")
    assert "since" in refused(report="counts", since="2020-01-01", until="2026-01-01")
    assert "interval" in refused(report="counts", interval="hour", since="2026-01-01",
                                 until="2026-03-01")  # fmt: skip
    assert "limit" in refused(report="top_events", limit=0)
    assert "window_days" in refused(report="funnel", steps="a,b", window_days=400)
    assert "event" in refused(report="counts", event="a\x00b")
    assert "colour" in refused(report="counts", colour="red")
    missing = insights.get("/analytics/", owner, report="counts")
    assert "organization" in assert_error(missing, 400, "VALIDATION_ERROR")


def test_unique_users_are_counted_again_only_for_periods_with_new_events(
    insights: Insights, story: Story, api: Api
) -> None:
    owner, org = story.elsewhere_owner, story.elsewhere
    monday = str(_day(0) - timedelta(days=_day(0).weekday()))

    def daily_and_weekly() -> tuple[dict[date, tuple[int, int]], dict[str, tuple[int, int]]]:
        daily = _report(insights, owner, org, report="counts")["results"]
        # Weeks up to the story's second (the last one would reach today's activities).
        until = at(7, 0)
        weekly = _report(insights, owner, org, report="counts", interval="week", until=until)
        weekly = weekly["results"]
        weeks = {row["period"][:10]: (row["events"], row["users"]) for row in weekly}
        return _by_period(daily), {week: figures for week, figures in weeks.items() if figures[0]}

    assert daily_and_weekly() == ({_day(0): (1, 1)}, {monday: (1, 1)})
    event = {"organization_id": org, "event": "signup", "distinct_id": "u9", "timestamp": at(0, 15)}

    def track(**changes: str) -> None:
        response = insights.request("POST", "/track/", owner, json={**event, **changes})
        assert response.status_code == 202, response.text

    track()
    assert daily_and_weekly() == ({_day(0): (2, 2)}, {monday: (2, 2)})
    track(event="view")
    assert daily_and_weekly() == ({_day(0): (3, 2)}, {monday: (3, 2)})
    # A period whose events did not change keeps the figure stored for it: not counted again.
    api.query("UPDATE insights_period_users SET users = 99 WHERE organization_id = %s", org)
    assert daily_and_weekly() == ({_day(0): (3, 99)}, {monday: (3, 99)})
