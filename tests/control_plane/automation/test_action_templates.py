"""`GET /action-templates/`: the catalogue, and each template made into a node (its
placeholders filled in as a user would) that really runs, against real services."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import psycopg

from control_plane.automation.engine.executors.catalogue import TEMPLATES
from control_plane.automation.node_types import NodeType
from tests.conftest import RunningApp
from tests.control_plane.automation.conftest import (
    Automation,
    Place,
    Web,
    chat_integration,
    executing_in,
    new_integration,
    new_workflow,
    smtp_integration,
)
from tests.control_plane.conftest import Api, Inbox, smtp_server
from tests.control_plane.runtime.instance_fixture import project_id, register_app
from tests.control_plane.studio.conftest import Team


def test_the_catalogue_has_the_seed_shape(api: Api, team: Team, automation: Automation) -> None:
    response = automation.request("GET", "/action-templates/", team.users["MEMBER"])
    assert response.status_code == 200, response.text
    page = response.json()
    assert page["count"] == len(page["results"]) == len(TEMPLATES)
    keys = {"id", "name", "category", "description", "node_type", "config_template"}
    for template in page["results"]:
        assert keys | {"required_inputs", "outputs"} == set(template)
    ids = [template["id"] for template in page["results"]]
    for kind in ("send_email", "create_record", "update_record", "webhook", "http_request"):
        assert kind in ids
    assert "database_query" in ids


def _filled(value: Any, fills: dict[str, Any]) -> Any:
    """The template's config with its `<placeholders>` replaced."""
    text = json.dumps(value)
    for placeholder, replacement in fills.items():
        text = text.replace(placeholder, replacement)
    return json.loads(text)


def test_every_template_runs(
    api: Api, team: Team, web: Web, empty_crm: RunningApp, automation: Automation
) -> None:
    register_app(api, team.organization, empty_crm)
    project = project_id(empty_crm)
    place = Place(team.organization, project, new_workflow(api, project, team.users["ADMIN"]))
    with smtp_server(Inbox()) as inbox:
        port = inbox.port  # type: ignore[attr-defined]
        fills = {
            "<email integration id>": smtp_integration(automation, team, port)["id"],
            "<messaging integration id>": chat_integration(automation, team, web.url("/hook"))[
                "id"
            ],
            "<database integration id>": new_integration(
                automation,
                team,
                name="DB",
                type="database",
                provider="postgresql",
                configuration={"dsn": empty_crm.database_url},
            )["id"],
            "<table name>": "clients",
            "<field name>": "nom",
        }
        inputs = {
            "recipient_email": "ana@example.com",
            "email_subject": "Hello",
            "email_body": "Body",
            "field_value": "Ana Lima",
            "message": "New client",
            "url": web.url("/api"),
            "payload": {"n": 1},
            "value": "bound",
        }
        outputs = asyncio.run(_run_templates(api, place, fills, inputs))
        assert inbox.wait_for("ana@example.com", "Hello")
    assert outputs["send_email"]["email_sent"] is True
    assert outputs["send_email_smtp"]["via"] == "smtp"
    assert outputs["create_record"]["record"]["nom"] == "Ana Lima"
    assert outputs["update_record"]["updated"] is True
    assert outputs["webhook"]["message_sent"] is True
    assert outputs["http_request"]["body"]["body"] == '{"data": {"n": 1}}'
    assert outputs["database_query"]["rows"] == [{"value": "bound"}]
    assert set(outputs) == {template.id for template in TEMPLATES}
    with psycopg.connect(empty_crm.database_url) as connection:
        assert connection.execute("SELECT nom FROM clients").fetchall() == [("Ana Lima",)]


async def _run_templates(
    api: Api, place: Place, fills: dict[str, Any], inputs: dict[str, Any]
) -> dict[str, dict[str, Any]]:
    outputs: dict[str, dict[str, Any]] = {}
    async with executing_in(api, place) as here:
        for template in TEMPLATES:
            config = _filled(template.config_template, fills)
            if template.id == "create_record":  # the CRM's clients need an email too
                config["data"]["email"] = "ana@example.com"
            data = dict(inputs)
            if template.id == "update_record":
                data["record_id"] = outputs["create_record"]["record_id"]
            node_type = NodeType(template.node_type)
            outputs[template.id] = await here.run(node_type, config, data)
    return outputs
