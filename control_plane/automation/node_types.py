"""Which role may put which node in a workflow (seed 001: MEMBER basic workflows, ADMIN
advanced, OWNER all). Checked when a node is created or changed, and when a workflow is
activated or executed (the caller's role must allow every node).

| node | permission |
| --- | --- |
| trigger, condition, transform, delay, loop | WORKFLOWS_BASIC (MEMBER) |
| action send_email (platform outbox), create_record, update_record | WORKFLOWS_BASIC |
| action webhook, any node naming an `integration` | WORKFLOWS_ADVANCED (ADMIN) |
| http_request, database_query (read-only) | WORKFLOWS_ADVANCED |
| database_query with `"read_only": false` | DATABASE_WRITE (OWNER) |
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from control_plane.foundation.permissions import Permission


class NodeType(StrEnum):
    TRIGGER = "trigger"
    ACTION = "action"
    CONDITION = "condition"
    TRANSFORM = "transform"
    DELAY = "delay"
    LOOP = "loop"
    HTTP_REQUEST = "http_request"
    DATABASE_QUERY = "database_query"


class ActionType(StrEnum):
    SEND_EMAIL = "send_email"
    CREATE_RECORD = "create_record"
    UPDATE_RECORD = "update_record"
    WEBHOOK = "webhook"


_ADVANCED_TYPES = frozenset({NodeType.HTTP_REQUEST, NodeType.DATABASE_QUERY})


def required_permission(node_type: NodeType, config: dict[str, Any]) -> Permission:
    """The permission a caller needs to place, or run, a node of this type and config."""
    if node_type is NodeType.DATABASE_QUERY and config.get("read_only", True) is False:
        return Permission.DATABASE_WRITE
    if node_type in _ADVANCED_TYPES or config.get("integration"):
        return Permission.WORKFLOWS_ADVANCED
    if node_type is NodeType.ACTION and config.get("action_type") == ActionType.WEBHOOK:
        return Permission.WORKFLOWS_ADVANCED
    return Permission.WORKFLOWS_BASIC
