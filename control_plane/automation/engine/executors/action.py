"""`action`: one executor for the node type, dispatching on `config.action_type` to the
kinds of actions/ (send_email, create_record, update_record, webhook). Every action has
effects outside the platform, so a dry run describes it and does nothing."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any, Protocol

from control_plane.automation import expressions
from control_plane.automation.engine.executors import config_checks as checks
from control_plane.automation.engine.executors.actions.records import CreateRecord, UpdateRecord
from control_plane.automation.engine.executors.actions.send_email import SendEmail
from control_plane.automation.engine.executors.actions.webhook import ChatWebhook
from control_plane.automation.engine.nodes import (
    ConfigIssue,
    NodeFailed,
    NodeRun,
    NodeServices,
    register,
)
from control_plane.automation.node_types import ActionType, NodeType


class ActionKind(Protocol):
    def check(self, config: Mapping[str, Any]) -> list[ConfigIssue]: ...

    async def check_environment(
        self, config: Mapping[str, Any], organization_id: uuid.UUID, services: NodeServices
    ) -> list[ConfigIssue]: ...

    async def run(self, node: NodeRun, config: Mapping[str, Any]) -> dict[str, Any]: ...


KINDS: dict[ActionType, ActionKind] = {
    ActionType.SEND_EMAIL: SendEmail(),
    ActionType.CREATE_RECORD: CreateRecord(),
    ActionType.UPDATE_RECORD: UpdateRecord(),
    ActionType.WEBHOOK: ChatWebhook(),
}


def _kind(config: Mapping[str, Any]) -> ActionKind | None:
    try:
        return KINDS[ActionType(str(config.get("action_type")))]
    except ValueError:
        return None


class Action:
    node_type = NodeType.ACTION

    def has_side_effects(self, config: Mapping[str, Any]) -> bool:
        return True

    def check(self, config: Mapping[str, Any]) -> list[ConfigIssue]:
        if "action_type" not in config:
            return []  # missing, said by check_environment: a node is saved as it is built
        kind = _kind(config)
        if kind is None:
            names = ", ".join(sorted(KINDS))
            return [ConfigIssue("config.action_type", f"One of {names}.")]
        return kind.check(config)

    async def check_environment(
        self, config: Mapping[str, Any], organization_id: uuid.UUID, services: NodeServices
    ) -> list[ConfigIssue]:
        kind = _kind(config)
        if kind is None:
            return checks.missing(config, ("action_type",)) or self.check(config)
        return await kind.check_environment(config, organization_id, services)

    async def run(self, node: NodeRun) -> dict[str, Any]:
        kind = _kind(node.config)
        if kind is None:
            raise NodeFailed("config.action_type: not an action this platform runs", "AUTO_007")
        return await kind.run(node, expressions.render(dict(node.config), node.scope))


EXECUTOR = register(Action())
