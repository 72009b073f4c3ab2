"""Schemathesis on the Automation endpoints, with path parameters naming a real workflow,
node and edge of the caller (an OWNER), so that requests reach the trigger configs, the
node checks, the graph analysis and the SQL instead of stopping at a 404: no answer may be
a 5xx."""

from __future__ import annotations

from pathlib import Path

from tests.control_plane.automation.conftest import Automation
from tests.control_plane.conftest import fuzz
from tests.control_plane.studio.conftest import Team


def test_no_server_error_on_automation(
    automation: Automation, team: Team, project: str, tmp_path: Path
) -> None:
    built = automation.build(
        team.owner,
        project,
        {"start": ("trigger", {}), "check": ("condition", {"config": {"condition": "1 == 1"}})},
        [("start", "check")],
    )
    parameters = {
        "path.workflow_id": built.id,
        "path.node_id": built.nodes["check"],
        "path.edge_id": built.edges[("start", "check")],
        "query.project": project,
    }
    before = automation.api.audit_entries(team.organization)
    paths = "^/api/v1/automation/"
    fuzz(automation.api, team.owner, tmp_path, parameters, "--include-path-regex", paths)
    assert automation.api.audit_entries(team.organization) > before
