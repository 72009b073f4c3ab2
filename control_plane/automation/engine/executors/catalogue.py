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


def _input(name: str, description: str, type_: str = "string") -> Port:
    return Port(name=name, type=type_, description=description)


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
    Port(name="record", type="object", description="The record as the app answered it"),
    Port(name="record_id", type="integer", description="Its id"),
]

TEMPLATES: tuple[ActionTemplate, ...] = (
    ActionTemplate(
        id="send_email",
        name="Send Email",
        category="communication",
        description="Send an email through the platform's mail outbox",
        node_type=NodeType.ACTION,
        config_template=_EMAIL_CONFIG,
        required_inputs=_EMAIL_INPUTS,
        outputs=[Port(name="email_sent", type="boolean", description="Queued for delivery")],
    ),
    ActionTemplate(
        id="send_email_smtp",
        name="Send Email (SMTP integration)",
        category="communication",
        description="Send an email at once through an email integration of provider smtp",
        node_type=NodeType.ACTION,
        config_template={**_EMAIL_CONFIG, "integration": "<email integration id>"},
        required_inputs=_EMAIL_INPUTS,
        outputs=[Port(name="email_sent", type="boolean", description="Accepted by the server")],
    ),
    ActionTemplate(
        id="create_record",
        name="Create Database Record",
        category="data",
        description="Create a record in a table of the project's deployed app",
        node_type=NodeType.ACTION,
        config_template={
            "action_type": "create_record",
            "table": "<table name>",
            "data": {"<field name>": "{{input_data.field_value}}"},
        },
        required_inputs=[_input("field_value", "A value of the new record")],
        outputs=_RECORD_OUTPUTS,
    ),
    ActionTemplate(
        id="update_record",
        name="Update Database Record",
        category="data",
        description="Change fields of a record of the project's deployed app",
        node_type=NodeType.ACTION,
        config_template={
            "action_type": "update_record",
            "table": "<table name>",
            "record_id": "{{input_data.record_id}}",
            "data": {"<field name>": "{{input_data.field_value}}"},
        },
        required_inputs=[
            _input("record_id", "The record's id", "integer"),
            _input("field_value", "The field's new value"),
        ],
        outputs=_RECORD_OUTPUTS,
    ),
    ActionTemplate(
        id="webhook",
        name="Post a Chat Message",
        category="communication",
        description="Post to a Slack-style incoming webhook of a messaging integration",
        node_type=NodeType.ACTION,
        config_template={
            "action_type": "webhook",
            "integration": "<messaging integration id>",
            "text": "{{input_data.message}}",
        },
        required_inputs=[_input("message", "The text to post")],
        outputs=[Port(name="message_sent", type="boolean", description="Accepted by the hook")],
    ),
    ActionTemplate(
        id="http_request",
        name="HTTP Request",
        category="integration",
        description="Call an HTTP API (public addresses only, redirects checked)",
        node_type=NodeType.HTTP_REQUEST,
        config_template={
            "method": "POST",
            "url": "{{input_data.url}}",
            "json": {"data": "{{input_data.payload}}"},
            "timeout": 10,
            "retries": 2,
        },
        required_inputs=[
            _input("url", "The URL to call"),
            _input("payload", "What to send", "object"),
        ],
        outputs=[
            Port(name="status", type="integer", description="The HTTP status"),
            Port(name="body", type="object", description="The answer, parsed when JSON"),
        ],
    ),
    ActionTemplate(
        id="database_query",
        name="Database Query",
        category="data",
        description="Run a read-only parameterised query on a database integration",
        node_type=NodeType.DATABASE_QUERY,
        config_template={
            "integration": "<database integration id>",
            "query": "SELECT %(value)s::text AS value",
            "params": {"value": "{{input_data.value}}"},
            "read_only": True,
        },
        required_inputs=[_input("value", "A value bound to the query")],
        outputs=[
            Port(name="rows", type="array", description="The rows, as objects"),
            Port(name="row_count", type="integer", description="How many"),
        ],
    ),
)
