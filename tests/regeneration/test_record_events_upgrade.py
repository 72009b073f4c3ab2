"""An app generated before record events: regenerating it adds the outbox and the event
triggers to its database, keeping its records, and its writes leave events from then on."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import CRM_SPEC, fresh_database
from tests.regeneration.helpers import (
    Api,
    as_generated_before_record_events,
    serving,
    upgrade_by_regenerating,
)
from tests.test_cli import nocode


def test_an_older_app_gets_record_events_and_keeps_its_records(
    tmp_path: Path, pg_server: str
) -> None:
    repo = tmp_path / "app"
    assert nocode("generate", str(CRM_SPEC), "--out", str(repo)).returncode == 0
    as_generated_before_record_events(repo)
    database = fresh_database(pg_server)
    with serving(repo, database) as app:
        kept = Api(app).create("clients", {"nom": "Jean", "email": "jean@example.com"})

    upgrade_by_regenerating(repo, database, pg_server, "additive     record events added: tables")

    with serving(repo, database) as app:
        api = Api(app)
        assert api.get("clients", kept["id"]) == kept
        patched = api.patch("clients", kept["id"], {"nom": "Jean Dupont"})
        events = api.http.get(f"{app.api}events/").json()["results"]
    assert [(e["table"], e["operation"], e["record_id"]) for e in events] == [
        ("clients", "updated", kept["id"])
    ]
    assert events[0]["record"]["nom"] == patched["nom"]
