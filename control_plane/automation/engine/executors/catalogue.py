"""The action templates (`GET /action-templates/`, seed 004 "Templates d'Actions"): one
per kind of node this platform really executes, kept beside the executors so that it
cannot drift from them (tests/control_plane/automation/test_action_templates.py makes a
node of each and runs it). `{{input_data.x}}` are the template's inputs; a value in
angle brackets (`<email integration id>`) is for the user to fill in."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from control_plane.automation.node_types import NodeType


class Port(BaseModel):
    name: str
    type: str
    description: str


class ActionTemplate(BaseModel):
    id: str
    name: str
    category: str
    description: str
    node_type: NodeType
    config_template: dict[str, Any]
    required_inputs: list[Port]
    outputs: list[Port]


def _port(name: str, type_: str, description: str) -> Port:
    return Port(name=name, type=type_, description=description)


def _input(name: str, description: str, type_: str = "string") -> Port:
    return _port(name, type_, description)


def _template(
    id_: str,
    name: str,
    category: str,
    description: str,
    config: dict[str, Any],
    inputs: list[Port],
    outputs: list[Port],
    node_type: NodeType = NodeType.ACTION,
) -> ActionTemplate:
    return ActionTemplate(
        id=id_,
        name=name,
        category=category,
        description=description,
        node_type=node_type,
        config_template=config,
        required_inputs=inputs,
        outputs=outputs,
    )


_EMAIL_INPUTS = [
    _input("recipient_email", "The recipient's address"),
    _input("email_subject", "The subject"),
    _input("email_body", "The text of the email"),
]
_EMAIL_CONFIG = {
    "action_type": "send_email",
    "recipient": "{{input_data.recipient_email}}",
    "subject": "{{input_data.email_subject}}",
    "body": "{{input_data.email_body}}",
}
_RECORD_OUTPUTS = [
    _port("record", "object", "The record as the app answered it"),
    _port("record_id", "integer", "Its id"),
]

TEMPLATES: tuple[ActionTemplate, ...] = (
    _template(
        "send_email",
        "Send Email",
        "communication",
        "Send an email through the platform's mail outbox",
        _EMAIL_CONFIG,
        _EMAIL_INPUTS,
        [_port("email_sent", "boolean", "Queued for delivery")],
    ),
    _template(
        "send_email_smtp",
        "Send Email (SMTP integration)",
        "communication",
        "Send an email at once through an email integration of provider smtp",
        {**_EMAIL_CONFIG, "integration": "<email integration id>"},
        _EMAIL_INPUTS,
        [_port("email_sent", "boolean", "Accepted by the server")],
    ),
    _template(
        "create_record",
        "Create Database Record",
        "data",
        "Create a record in a table of the project's deployed app",
        {
            "action_type": "create_record",
            "table": "<table name>",
            "data": {"<field name>": "{{input_data.field_value}}"},
        },
        [_input("field_value", "A value of the new record")],
        _RECORD_OUTPUTS,
    ),
    _template(
        "update_record",
        "Update Database Record",
        "data",
        "Change fields of a record of the project's deployed app",
        {
            "action_type": "update_record",
            "table": "<table name>",
            "record_id": "{{input_data.record_id}}",
            "data": {"<field name>": "{{input_data.field_value}}"},
        },
        [
            _input("record_id", "The record's id", "integer"),
            _input("field_value", "The field's new value"),
        ],
        _RECORD_OUTPUTS,
    ),
    _template(
        "webhook",
        "Post a Chat Message",
        "communication",
        "Post to a Slack-style incoming webhook of a messaging integration",
        {
            "action_type": "webhook",
            "integration": "<messaging integration id>",
            "text": "{{input_data.message}}",
        },
        [_input("message", "The text to post")],
        [_port("message_sent", "boolean", "Accepted by the hook")],
    ),
    _template(
        "http_request",
        "HTTP Request",
        "integration",
        "Call an HTTP API (public addresses only, redirects checked)",
        {
            "method": "POST",
            "url": "{{input_data.url}}",
            "json": {"data": "{{input_data.payload}}"},
            "timeout": 10,
            "retries": 2,
        },
        [_input("url", "The URL to call"), _input("payload", "What to send", "object")],
        [
            _port("status", "integer", "The HTTP status"),
            _port("body", "object", "The answer, parsed when JSON"),
        ],
        NodeType.HTTP_REQUEST,
    ),
    _template(
        "database_query",
        "Database Query",
        "data",
        "Run a read-only parameterised query on a database integration",
        {
            "integration": "<database integration id>",
            "query": "SELECT %(value)s::text AS value",
            "params": {"value": "{{input_data.value}}"},
            "read_only": True,
        },
        [_input("value", "A value bound to the query")],
        [
            _port("rows", "array", "The rows, as objects"),
            _port("row_count", "integer", "How many"),
        ],
        NodeType.DATABASE_QUERY,
    ),
)
