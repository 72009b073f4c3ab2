"""`condition`: config `{"condition": "<expression>", "true_path"?, "false_path"?}` (a
node saved without its condition fails when it runs).

Its output is `{"result": <bool>}`; the engine adds the same boolean under each name
the node declares in `outputs` (`validation_result` for the seed's node). Its edges are
taken by their own condition, else by `true_path` / `false_path` (a target node's id or
name), else always (docs/automation.md)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from control_plane.automation import expressions
from control_plane.automation.engine.executors.base import Computing
from control_plane.automation.engine.nodes import ConfigIssue, NodeFailed, NodeRun, register
from control_plane.automation.errors import INVALID_DATA
from control_plane.automation.node_types import NodeType


class Condition(Computing):
    node_type = NodeType.CONDITION

    def check(self, config: Mapping[str, Any]) -> list[ConfigIssue]:
        expression = config.get("condition", "")
        if not isinstance(expression, str):
            return [ConfigIssue("config.condition", "An expression, as text.")]
        return []

    async def run(self, node: NodeRun) -> dict[str, Any]:
        expression = node.config.get("condition")
        if not expression:
            raise NodeFailed("the node has no condition", INVALID_DATA.code)
        return {"result": expressions.truthy(str(expression), node.scope)}


register(Condition())
