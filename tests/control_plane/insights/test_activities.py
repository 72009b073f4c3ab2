"""The activity feed against the real server: activities posted by hand, read newest
first with filters (a CLIENT's over their own only); the platform's own doings (a login,
a project created, a generation, a workflow execution) collected into it within seconds
without any module calling Insights; and retention, which drops old days and keeps their
rollups."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
from psycopg_pool import AsyncConnectionPool

from control_plane.insights.jobs.events import drop_old_events, make_partitions
from control_plane.insights.services import collector
from tests.control_plane.automation.conftest import Automation
from tests.control_plane.conftest import assert_error, run_job
from tests.control_plane.insights.conftest import Insights, eventually
from tests.control_plane.runtime.published import create_app, crm_document, publish, runtime_client
from tests.control_plane.studio.conftest import Team


def _post(insights: Insights, team: Team, role: str, name: str, **body: Any) -> dict[str, Any]:
    body = {"organization_id": team.organization, "name": name, **body}
    response = insights.request("POST", "/activities/", team.users[role], json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_posted_activities_are_listed_newest_first_each_seeing_what_their_role_may(
    insights: Insights, team: Team
) -> None:
    name = f"export-{uuid.uuid4().hex[:6]}"
    earlier = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
    mine = _post(insights, team, "CLIENT", name, properties={"rows": 3}, timestamp=earlier)
    theirs = _post(insights, team, "MEMBER", name)
    client, member = team.users["CLIENT"], team.users["MEMBER"]
    assert set(mine) == {
        "id", "organization_id", "project_id", "app_id", "name", "source", "actor",
        "distinct_id", "properties", "occurred_at",
    }  # fmt: skip
    assert (mine["source"], mine["actor"], mine["distinct_id"]) == ("api", client.id, client.id)
    assert mine["properties"] == {"rows": 3}

    organization = {"organization": team.organization, "name": name}
    assert [a["id"] for a in insights.activities(member, **organization)] == [
        theirs["id"],
        mine["id"],
    ]
    # A CLIENT asking for the organisation's, or someone else's, gets their own.
    assert [a["id"] for a in insights.activities(client, **organization)] == [mine["id"]]
    assert insights.activities(client, **organization, user=member.id) == [
        insights.activities(client, **organization)[0]
    ]
    assert [a["id"] for a in insights.activities(member, **organization, user=client.id)] == [
        mine["id"]
    ]
    since = {**organization, "since": (datetime.now(UTC) - timedelta(minutes=1)).isoformat()}
    assert [a["id"] for a in insights.activities(member, **since)] == [theirs["id"]]

    outsider = insights.api.new_user("outsider")
    refused = insights.request("GET", "/activities/", outsider, params=organization)
    assert_error(refused, 404, "NOT_FOUND")
    bad = {"organization_id": team.organization, "name": "two\nlines"}
    details = assert_error(
        insights.request("POST", "/activities/", member, json=bad), 400, "VALIDATION_ERROR"
    )
    assert "name" in details
    assert_error(insights.request("GET", "/activities/", member), 400, "VALIDATION_ERROR")


def test_the_platform_s_doings_become_activities(insights: Insights, team: Team) -> None:
    api, owner, client = insights.api, team.owner, team.users["CLIENT"]
    organization = team.organization

    def collected(name: str, **filters: str) -> list[dict[str, Any]]:
        found = insights.activities(owner, organization=organization, name=name, **filters)
        return found

    api.login(client.email)
    login = eventually(lambda: collected("session.login", user=client.id), "a login")
    assert login[0]["source"] == "audit_log"
    assert login[0]["actor"] == client.id

    project = insights.studio.new_project(owner, organization, "Collected")
    [created] = eventually(lambda: collected("project.create", project=project), "a project")
    assert (created["actor"], created["project_id"]) == (owner.id, project)

    automation = Automation(api)
    nodes = {
        "Start": ("trigger", {}),
        "Echo": ("transform", {"config": {"output": {"ok": True}}}),
    }
    workflow = automation.build(owner, project, nodes, [("Start", "Echo")])
    execution = automation.execute(owner, workflow.id)["execution_id"]
    assert automation.wait_for(owner, execution)["status"] == "completed"
    [run] = eventually(lambda: collected("workflow.success", project=project), "an execution")
    assert run["properties"]["run_id"] == execution
    assert run["properties"]["workflow_id"] == workflow.id
    assert run["source"] == "runs"

    published = publish(api, organization, crm_document())
    with runtime_client(api) as runtime:
        app = create_app(api, runtime, owner, published)
    [generated] = eventually(
        lambda: collected("generation.succeeded", app=app["id"]), "a generation"
    )
    assert generated["project_id"] == published
    assert generated["source"] == "jobs"
    # The app's creation itself, from the audit log.
    assert eventually(lambda: collected("app.create", app=app["id"]), "app.create")


def test_retention_drops_old_days_and_keeps_their_rollups(insights: Insights, team: Team) -> None:
    api = insights.api
    today = datetime.now(UTC).date()
    expired, kept = today - timedelta(days=91), today - timedelta(days=89)
    name = f"old-{uuid.uuid4().hex[:6]}"
    for day in (expired, kept):
        api.query("SELECT insights_ensure_partition(%s)", day)
        at = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
        api.query(
            "INSERT INTO insights_events (organization_id, kind, name, distinct_id, occurred_at)"
            " VALUES (%s, 'event', %s, 'someone', %s)",
            uuid.UUID(team.organization),
            name,
            at,
        )
        api.query(
            "INSERT INTO insights_event_counts (organization_id, name, hour, events)"
            " VALUES (%s, %s, %s, 1)",
            uuid.UUID(team.organization),
            name,
            at,
        )
    ahead = today + timedelta(days=7)  # made again by the job below
    api.query(f"DROP TABLE IF EXISTS insights_events_{ahead:%Y%m%d}")
    asyncio.run(run_job(api.server.database_url, drop_old_events))
    asyncio.run(run_job(api.server.database_url, make_partitions))

    def exists(day: Any) -> bool:
        [(found,)] = api.query(
            "SELECT to_regclass(%s) IS NOT NULL", f"insights_events_{day:%Y%m%d}"
        )
        return bool(found)

    assert not exists(expired)
    assert exists(kept)
    assert exists(ahead)
    [(events,)] = api.query("SELECT count(*) FROM insights_events WHERE name = %s", name)
    assert events == 1
    [(counted,)] = api.query("SELECT sum(events) FROM insights_event_counts WHERE name = %s", name)
    assert counted == 2


def test_an_entry_committed_late_is_not_passed_over(insights: Insights, team: Team) -> None:
    """Audit ids are taken before commit: an entry whose transaction started first but
    commits after a later one must still become an activity, however the collector's
    passes fall in between (one runs here, from the test, between the two commits)."""
    api, owner = insights.api, team.owner
    late_action = f"test.late-{uuid.uuid4().hex[:6]}"
    with psycopg.connect(api.server.database_url) as late:  # its transaction stays open
        late.execute(
            "INSERT INTO audit_log (organization_id, actor_id, action, object_type, object_id)"
            " VALUES (%s, %s, %s, 'test', 'late')",
            (uuid.UUID(team.organization), uuid.UUID(owner.id), late_action),
        )
        project = insights.studio.new_project(owner, team.organization, "Committed first")
        asyncio.run(_collect_once(api.server.database_url))
    for name, filters in ((late_action, {}), ("project.create", {"project": project})):

        def collected(name: str = name, filters: dict[str, str] = filters) -> list[Any]:
            return insights.activities(owner, organization=team.organization, name=name, **filters)

        assert len(eventually(collected, name)) == 1


async def _collect_once(database_url: str) -> None:
    async with AsyncConnectionPool(
        database_url, kwargs={"autocommit": True}, min_size=1, open=False
    ) as pool:
        await collector.collect(pool)
