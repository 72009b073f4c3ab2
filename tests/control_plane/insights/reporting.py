"""Helpers of the reports' tests (analytics, dashboards, exports): a team whose
organisation holds a small set of events of known answers (`story_events`, tracked by the
`story` fixture of conftest.py), and `record_events`, which writes events with their
rollups in one statement as the tracking writer keeps them (bench/insights_reports.py's
events tracked between requests)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg

from tests.control_plane.conftest import User
from tests.control_plane.studio.conftest import Team

_PARTITIONS = "SELECT insights_ensure_partition(day::date) FROM unnest(%(days)s::date[]) AS day"
_RECORD = """
WITH inserted AS (
    INSERT INTO insights_events (organization_id, project_id, kind, name, distinct_id, user_id,
                                 properties, occurred_at)
    SELECT organization_id, project_id, kind, name, distinct_id, user_id, properties,
           occurred_at
    FROM jsonb_to_recordset(%(events)s) AS e(
        organization_id uuid, project_id uuid, kind text, name text, distinct_id text,
        user_id uuid, properties jsonb, occurred_at timestamptz)
    RETURNING organization_id, project_id, name, distinct_id, occurred_at
), counts AS (
    INSERT INTO insights_event_counts (organization_id, project_id, name, hour, events)
    SELECT organization_id, project_id, name, date_trunc('hour', occurred_at), count(*)
    FROM inserted GROUP BY 1, 2, 3, 4
    ON CONFLICT ON CONSTRAINT insights_event_counts_key
    DO UPDATE SET events = insights_event_counts.events + excluded.events
)
INSERT INTO insights_event_users (organization_id, project_id, name, day, distinct_id, first_at)
SELECT organization_id, project_id, name, (occurred_at AT TIME ZONE 'UTC')::date, distinct_id,
       min(occurred_at)
FROM inserted GROUP BY 1, 2, 3, 4, 5
ON CONFLICT ON CONSTRAINT insights_event_users_key
DO UPDATE SET first_at = least(insights_event_users.first_at, excluded.first_at)
"""


def record_events(database_url: str, events: Sequence[Mapping[str, Any]]) -> None:
    """Events with their rollups, as the tracking writer commits them."""
    days = sorted({str(event["occurred_at"])[:10] for event in events})
    rows = [{"kind": "event", "properties": {}, **event} for event in events]
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute("SET TIME ZONE 'UTC'")
        connection.execute(_PARTITIONS, {"days": days})
        connection.execute(_RECORD, {"events": json.dumps(rows, default=str)})


# The first day of the story: 25 days ago, so that the default period (30 days) holds it.
DAY = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=25)


# The story's end: the reports of the tests stop there, before today, whose activities
# (the platform's own, collected as they happen: the team's creation) are counted too.
STORY_END = (DAY + timedelta(days=21)).isoformat()


def at(days: int, hours: float) -> str:
    return (DAY + timedelta(days=days, hours=hours)).isoformat()


@dataclass
class Story:
    """A team with a project, the events of `story_events` in its organisation, and its
    activities 40 days ago (outside the reports' default period); another organisation
    with one event and many activities."""

    team: Team
    project: str
    other_project: str
    elsewhere: str
    elsewhere_owner: User

    @property
    def organization(self) -> str:
        return self.team.organization


def story_events(story: Story, client: User) -> list[dict[str, Any]]:
    """signup -> view -> purchase, in 14 events. Funnel (14 days): u1 does the three in
    order; u2 stops at view; u3 viewed before signing up (step 1 only); u4 bought before
    viewing, viewed 8 days after signing up (step 2; not within 7 days) and again on day
    20; the CLIENT signs up and views (pro plan). u1's view of day 2 is in another
    project."""
    org, project = story.organization, story.project

    def event(name: str, who: str, when: str, **extra: Any) -> dict[str, Any]:
        return {
            "organization_id": org,
            "project_id": project,
            "name": name,
            "distinct_id": who,
            "occurred_at": when,
            "properties": {"plan": "free"},
            **extra,
        }

    pro = {"properties": {"plan": "pro"}}
    return [
        event("signup", "u1", at(0, 10)),
        event("view", "u1", at(0, 11)),
        event("purchase", "u1", at(1, 9), **pro),
        event("signup", "u2", at(0, 12)),
        event("view", "u2", at(0, 12.5)),
        event("view", "u3", at(0, 8)),
        event("signup", "u3", at(0, 9)),
        event("signup", "u4", at(0, 10)),
        event("purchase", "u4", at(0, 11)),
        event("view", "u4", at(8, 10)),
        event("view", "u4", at(20, 10)),
        event("signup", client.id, at(1, 10), user_id=client.id),
        event("view", client.id, at(1, 10.1), user_id=client.id, **pro),
        event("view", "u1", at(2, 10), project_id=story.other_project),
    ]


ACTIVITIES_DAY = DAY - timedelta(days=15)
MANY_ACTIVITIES = 20_000
_MANY_ACTIVITIES = """
INSERT INTO insights_events (organization_id, kind, name, distinct_id, properties, occurred_at)
SELECT %(organization)s, 'activity', 'record.create', 'user_' || i %% 100,
       jsonb_build_object('n', i), %(day)s::timestamptz + i * interval '1 second'
FROM generate_series(1, %(count)s) AS i
"""


def story_activities(story: Story) -> list[tuple[User, dict[str, Any]]]:
    """Who posts which activity (POST /activities/): the owner creates a project and
    publishes it; the CLIENT logs in."""
    owner, client = story.team.owner, story.team.users["CLIENT"]

    def activity(action: str, by: User, hours: float, **properties: Any) -> tuple[User, Any]:
        return by, {
            "organization_id": story.organization,
            "project_id": story.project,
            "name": action,
            "properties": properties,
            "timestamp": (ACTIVITIES_DAY + timedelta(hours=hours)).isoformat(),
        }

    return [
        activity("project.create", owner, 9, name="Boutique"),
        activity("auth.login", client, 10),
        activity("version.publish", owner, 11, number=1),
    ]


def tracked(event: Mapping[str, Any]) -> dict[str, Any]:
    """A story event as POST /track/ takes it (its project names its organisation)."""
    where = (
        {"project_id": event["project_id"]}
        if event.get("project_id")
        else {"organization_id": event["organization_id"]}
    )
    return {
        "event": event["name"],
        "distinct_id": event["distinct_id"],
        "properties": event["properties"],
        "timestamp": event["occurred_at"],
        **where,
    }


def add_many_activities(database_url: str, organization: str) -> None:
    """MANY_ACTIVITIES activities in one statement, more than the API posts quickly: raw
    events only, for the exports (no test reports on that day of that organisation)."""
    values = {"organization": organization, "day": ACTIVITIES_DAY, "count": MANY_ACTIVITIES}
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute(_MANY_ACTIVITIES, values)
