"""Schemathesis on the Automation endpoints, with path parameters naming a real workflow,
node and edge of the caller (an OWNER), so that requests reach the trigger configs, the
node checks, the graph analysis and the SQL instead of stopping at a 404: no answer may be
a 5xx."""

from __future__ import annotations

import uuid
from pathlib import Path

from tests.conftest import run_schemathesis
from tests.control_plane.automation.conftest import Automation
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
    config = tmp_path / "schemathesis.toml"
    config.write_text(
        "[parameters]\n"
        f'"path.workflow_id" = "{built.id}"\n'
        f'"path.node_id" = "{built.nodes["check"]}"\n'
        f'"path.edge_id" = "{built.edges[("start", "check")]}"\n'
        f'"query.project" = "{project}"\n'
    )
    audited = "SELECT count(*) FROM audit_log WHERE organization_id = %s"
    before = automation.api.query(audited, uuid.UUID(team.organization))
    result = run_schemathesis(
        f"{automation.api.server.base_url}/api/schema/",
        team.owner.headers["Authorization"],
        tmp_path,
        "--include-path-regex",
        "^/api/v1/automation/",
        "--checks",
        "not_a_server_error",
        "--max-examples",
        "30",
        "--seed",
        "7",
        "--generation-allow-x00",
        "true",
        config=config,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "passed" in result.stdout
    assert automation.api.query(audited, uuid.UUID(team.organization)) > before
