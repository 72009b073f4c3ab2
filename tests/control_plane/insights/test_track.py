"""POST /track/ and /track/batch/ against the real server: an acknowledged event is
committed with its rollups, bad input is refused whole with its path, access is checked,
a missing day's partition is made, and a failed flush answers 503 with nothing stored."""

from __future__ import annotations

import concurrent.futures
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.control_plane.conftest import Api, assert_error
from tests.control_plane.insights.conftest import Insights
from tests.control_plane.studio.conftest import Team


def _stored(api: Api, name: str) -> list[tuple[Any, ...]]:
    return api.query(
        "SELECT organization_id::text, project_id::text, kind, distinct_id, user_id::text,"
        " properties, occurred_at FROM insights_events WHERE name = %s ORDER BY id",
        name,
    )


def _counted(api: Api, name: str) -> int:
    [(count,)] = api.query(
        "SELECT coalesce(sum(events), 0) FROM insights_event_counts WHERE name = %s", name
    )
    return int(count)


def _distinct_ids(api: Api, name: str) -> set[str]:
    rows = api.query("SELECT distinct_id FROM insights_event_users WHERE name = %s", name)
    return {row[0] for row in rows}


def _name() -> str:
    return f"signup-{uuid.uuid4().hex[:8]}"


def test_an_acknowledged_event_is_committed_with_its_rollups(
    insights: Insights, team: Team
) -> None:
    client = team.users["CLIENT"]
    name = _name()
    response = insights.track(
        client, event=name, organization_id=team.organization, properties={"plan": "free"}
    )
    assert response.status_code == 202, response.text
    assert response.json() == {"accepted": 1}
    # Read at once: the 202 left after the commit.
    [(organization, project, kind, distinct_id, user_id, properties, _)] = _stored(
        insights.api, name
    )
    assert (organization, project, kind) == (team.organization, None, "event")
    assert distinct_id == user_id == client.id
    assert properties == {"plan": "free"}
    assert _counted(insights.api, name) == 1
    assert _distinct_ids(insights.api, name) == {client.id}

    anonymous = {"event": name, "organization_id": team.organization, "distinct_id": "anon-7"}
    batch = {
        "events": [anonymous, anonymous, {"event": name, "organization_id": team.organization}]
    }
    response = insights.request("POST", "/track/batch/", team.owner, json=batch)
    assert response.status_code == 202, response.text
    assert response.json() == {"accepted": 3}
    assert len(_stored(insights.api, name)) == 4
    assert _counted(insights.api, name) == 4
    assert _distinct_ids(insights.api, name) == {client.id, "anon-7", team.owner.id}


def test_concurrent_requests_are_each_counted_once(insights: Insights, team: Team) -> None:
    """Many requests share flushes (group commit): every one acknowledged is stored and
    counted, none twice."""
    name = _name()
    body = {"event": name, "organization_id": team.organization}
    headers = team.users["MEMBER"].headers
    url = f"{insights.api.server.base_url}/api/v1/insights/track/"
    with httpx.Client(timeout=30) as http, concurrent.futures.ThreadPoolExecutor(16) as pool:
        statuses = list(
            pool.map(lambda _: http.post(url, json=body, headers=headers).status_code, range(200))
        )
    assert statuses == [202] * 200
    assert len(_stored(insights.api, name)) == 200
    assert _counted(insights.api, name) == 200


def test_the_event_s_project_or_app_names_its_organisation(insights: Insights, team: Team) -> None:
    project = insights.studio.new_project(team.owner, team.organization, "Tracked")
    name = _name()
    response = insights.track(team.users["CLIENT"], event=name, project_id=project)
    assert response.status_code == 202, response.text
    [(organization, project_id, *_)] = _stored(insights.api, name)
    assert (organization, project_id) == (team.organization, project)


def test_access_is_checked(insights: Insights, team: Team) -> None:
    api = insights.api
    outsider = api.new_user("outsider")
    elsewhere = api.new_organization(outsider, "Elsewhere")
    other_project = insights.studio.new_project(outsider, elsewhere, "Theirs")
    member = team.users["MEMBER"]
    name = _name()

    assert_error(
        insights.request("POST", "/track/", None, json={"event": name}), 401, "NOT_AUTHENTICATED"
    )
    not_yours = insights.track(member, event=name, organization_id=elsewhere)
    assert assert_error(not_yours, 404, "NOT_FOUND") == {"organization": "No such organization."}
    assert_error(insights.track(member, event=name, project_id=other_project), 404, "NOT_FOUND")
    # A project of another organisation than the one named.
    mixed = insights.track(
        member, event=name, organization_id=team.organization, project_id=other_project
    )
    assert_error(mixed, 404, "NOT_FOUND")
    nowhere = assert_error(insights.track(member, event=name), 400, "VALIDATION_ERROR")
    assert nowhere == {"organization_id": "give organization_id, project_id or app_id"}
    batch = {
        "events": [
            {"event": name, "organization_id": team.organization},
            {"event": name, "organization_id": elsewhere},
        ]
    }
    assert_error(insights.request("POST", "/track/batch/", member, json=batch), 404, "NOT_FOUND")

    session = api.login(member.email)
    assert api.http.post("/auth/logout/", headers=session.headers).status_code in (200, 204)
    logged_out = insights.track(session, event=name, organization_id=team.organization)
    assert_error(logged_out, 401, "NOT_AUTHENTICATED")
    assert _stored(api, name) == []


def test_bad_events_are_refused_whole_with_their_path(insights: Insights, team: Team) -> None:
    api, owner, organization = insights.api, team.owner, team.organization
    name = _name()
    now = datetime.now(UTC)
    deep: dict[str, Any] = {}
    for _ in range(9):
        deep = {"d": deep}
    bad = {
        "event": ("x" * 201, "event"),
        "properties": ([1, 2], "properties"),
        "distinct_id": ("two\nlines", "distinct_id"),
    }
    for key, (value, path) in bad.items():
        body: dict[str, Any] = {"event": name, "organization_id": organization, key: value}
        details = assert_error(
            insights.request("POST", "/track/", owner, json=body), 400, "VALIDATION_ERROR"
        )
        assert path in details, details
    oversized: list[dict[str, Any]] = [{"big": "x" * 8200}, deep, {"nul": ["a\x00b"]}]
    for properties in oversized:
        body = {"event": name, "organization_id": organization, "properties": properties}
        details = assert_error(
            insights.request("POST", "/track/", owner, json=body), 400, "VALIDATION_ERROR"
        )
        assert "properties" in details, details
    # Python's json reads NaN; PostgreSQL's jsonb would not store it.
    raw = json.dumps({"event": name, "organization_id": organization, "properties": {"x": 1}})
    raw = raw.replace('{"x": 1}', '{"x": NaN}')
    response = insights.request(
        "POST", "/track/", owner, content=raw, headers={"Content-Type": "application/json"}
    )
    assert "properties" in assert_error(response, 400, "VALIDATION_ERROR")
    for moment in (now - timedelta(days=91), now + timedelta(hours=2)):
        body = {"event": name, "organization_id": organization, "timestamp": moment.isoformat()}
        details = assert_error(
            insights.request("POST", "/track/", owner, json=body), 400, "VALIDATION_ERROR"
        )
        assert "timestamp" in details, details

    good = {"event": name, "organization_id": organization}
    events = [
        good,
        good,
        good,
        {**good, "properties": "no"},
        {**good, "timestamp": (now + timedelta(hours=3)).isoformat()},
    ]
    details = assert_error(
        insights.request("POST", "/track/batch/", owner, json={"events": events}),
        400,
        "VALIDATION_ERROR",
    )
    assert "events[3].properties" in details, details
    events[3] = good
    details = assert_error(
        insights.request("POST", "/track/batch/", owner, json={"events": events}),
        400,
        "VALIDATION_ERROR",
    )
    assert details == {"events[4].timestamp": "more than an hour ahead of the server's clock"}
    too_many = {"events": [good] * 1001}
    assert "events" in assert_error(
        insights.request("POST", "/track/batch/", owner, json=too_many), 400, "VALIDATION_ERROR"
    )
    assert _stored(api, name) == []
    assert _counted(api, name) == 0


def test_a_day_without_its_partition_gets_one(insights: Insights, team: Team) -> None:
    day = (datetime.now(UTC) - timedelta(days=20)).replace(
        hour=12, minute=0, second=0, microsecond=0
    )
    partition = f"insights_events_{day:%Y%m%d}"
    [(exists,)] = insights.api.query("SELECT to_regclass(%s) IS NOT NULL", partition)
    assert not exists
    name = _name()
    body = {"event": name, "organization_id": team.organization, "timestamp": day.isoformat()}
    assert insights.request("POST", "/track/", team.owner, json=body).status_code == 202
    [(*_, occurred_at)] = _stored(insights.api, name)
    assert occurred_at == day
    [(exists,)] = insights.api.query("SELECT to_regclass(%s) IS NOT NULL", partition)
    assert exists


def test_a_failed_flush_answers_503_and_stores_nothing(insights: Insights, team: Team) -> None:
    """The rollup's write fails in the database (a trigger raises): the events of that
    flush are rolled back with it, their requests get 503, and the writer goes on."""
    api, owner = insights.api, team.owner
    doomed = _name()
    api.query(
        "CREATE FUNCTION test_refuse_count() RETURNS trigger LANGUAGE plpgsql AS $$"
        f" BEGIN IF NEW.name = '{doomed}' THEN RAISE EXCEPTION 'disk full'; END IF;"
        " RETURN NEW; END $$"
    )
    api.query(
        "CREATE TRIGGER test_refuse_count BEFORE INSERT ON insights_event_counts"
        " FOR EACH ROW EXECUTE FUNCTION test_refuse_count()"
    )
    try:
        response = insights.track(owner, event=doomed, organization_id=team.organization)
        assert_error(response, 503, "UNAVAILABLE")
        assert response.headers["Retry-After"] == "1"
    finally:
        api.query("DROP TRIGGER test_refuse_count ON insights_event_counts")
        api.query("DROP FUNCTION test_refuse_count()")
    assert _stored(api, doomed) == []
    after = _name()
    assert insights.track(owner, event=after, organization_id=team.organization).status_code == 202
    assert _counted(api, after) == 1
