"""/api/v1/insights/dashboards/ against the real server: saved reports answered with their
current figures, queries checked as /analytics/ checks them, who may do what, audit."""

from __future__ import annotations

from typing import Any

from tests.control_plane.conftest import Api, assert_error
from tests.control_plane.insights.conftest import Insights
from tests.control_plane.insights.reporting import STORY_END, Story

FUNNEL = {"report": "funnel", "steps": "signup,view,purchase", "until": STORY_END}


def _create(client: Insights, story: Story, role: str, **body: Any) -> dict[str, Any]:
    response = client.request(
        "POST",
        "/dashboards/",
        story.team.users[role],
        json={"organization_id": story.organization, "name": f"{role}'s", **body},
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_a_dashboard_answers_its_reports_with_their_figures(
    insights: Insights, story: Story, api: Api
) -> None:
    audited = api.audit_entries(story.organization)
    saved = [
        {"title": "Top", "query": {"report": "top_events", "limit": 2, "until": STORY_END}},
        {"title": "Signups", "query": FUNNEL},
    ]
    created = _create(insights, story, "MEMBER", description="Weekly", reports=saved)
    stored = created["reports"][1]["query"]
    assert stored["steps"] == ["signup", "view", "purchase"] and set(stored) == set(FUNNEL)
    assert api.audit_entries(story.organization) == audited + 1
    member = story.team.users["MEMBER"]
    shown = insights.get(f"/dashboards/{created['id']}/", member).json()
    top, funnel = (report["result"] for report in shown["reports"])
    assert [row["event"] for row in top["results"]] == ["view", "signup"]
    assert [step["users"] for step in funnel["results"]] == [5, 4, 1]
    # A saved period that grows past 400 days is answered without figures, not refused.
    api.query(
        "UPDATE insights_dashboards SET reports = jsonb_set(reports, '{0,query,since}', "
        "'\"2020-01-01T00:00:00Z\"') WHERE id = %s",
        created["id"],
    )
    aged = insights.get(f"/dashboards/{created['id']}/", member).json()["reports"]
    assert aged[0]["result"] is None and "since" in aged[0]["error"]
    assert aged[1]["result"] is not None
    listed = insights.get("/dashboards/", member, organization=story.organization).json()
    assert created["id"] in [dashboard["id"] for dashboard in listed["results"]]
    assert all(report["result"] is None for report in listed["results"][0]["reports"])


def test_each_saved_query_is_checked_as_the_endpoint_checks_it(
    insights: Insights, story: Story, api: Api
) -> None:
    member = story.team.users["MEMBER"]
    audited = api.audit_entries(story.organization)

    def refused(*queries: dict[str, Any]) -> dict[str, Any]:
        saved = [{"title": f"R{n}", "query": query} for n, query in enumerate(queries)]
        body = {"organization_id": story.organization, "name": "Bad", "reports": saved}
        response = insights.request("POST", "/dashboards/", member, json=body)
        return assert_error(response, 400, "VALIDATION_ERROR")

    assert "reports.1.query.steps" in refused(FUNNEL, {"report": "funnel", "steps": "a"})
    assert "reports.0.query.report" in refused({"report": "pie"})
    assert "reports.0.query.interval" in refused(
        {"report": "counts", "interval": "hour", "since": "2026-01-01", "until": "2026-03-01"}
    )
    assert "reports" in refused(*[FUNNEL] * 21)
    assert api.audit_entries(story.organization) == audited  # nothing written


def test_members_manage_their_own_admins_any_clients_none(
    insights: Insights, story: Story, api: Api
) -> None:
    users = story.team.users
    mine = _create(insights, story, "MEMBER")
    admins = _create(insights, story, "ADMIN")
    path = f"/dashboards/{admins['id']}/"
    patch = {"json": {"name": "Renamed"}}
    assert_error(
        insights.request("PATCH", path, users["MEMBER"], **patch), 403, "PERMISSION_DENIED"
    )
    assert_error(insights.request("DELETE", path, users["MEMBER"]), 403, "PERMISSION_DENIED")
    renamed = insights.request("PUT", f"/dashboards/{mine['id']}/", users["ADMIN"], **patch)
    assert renamed.status_code == 200 and renamed.json()["name"] == "Renamed"
    assert insights.request("DELETE", path, users["MEMBER"]).status_code == 403
    assert insights.request("DELETE", path, users["ADMIN"]).status_code == 204
    assert_error(insights.get(path, users["ADMIN"]), 404, "NOT_FOUND")
    client = users["CLIENT"]
    assert_error(insights.get(f"/dashboards/{mine['id']}/", client), 403, "PERMISSION_DENIED")
    body = {"organization_id": story.organization, "name": "Mine"}
    created = insights.request("POST", "/dashboards/", client, json=body)
    assert_error(created, 403, "PERMISSION_DENIED")
    assert mine["id"] not in str(insights.get("/dashboards/", client).json())
    stranger = api.new_user("outsider")
    assert_error(insights.get(f"/dashboards/{mine['id']}/", stranger), 404, "NOT_FOUND")
    assert (
        insights.get(f"/dashboards/{mine['id']}/", stranger).json()
        == insights.get(f"/dashboards/{admins['id']}/", stranger).json()
    )
    actions = api.query(
        "SELECT action FROM audit_log WHERE object_id = %s ORDER BY id", admins["id"]
    )
    assert [action for (action,) in actions] == ["dashboard.create", "dashboard.delete"]
