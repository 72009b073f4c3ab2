"""`transform`: config `{"output": <any JSON with templates>}`; its output is that value
rendered over the node's scope (an object; anything else comes as `{"value": ...}`).
Without `output`, the node passes its input on."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from control_plane.automation import expressions
from control_plane.automation.engine.executors.base import Computing
from control_plane.automation.engine.nodes import ConfigIssue, NodeRun, register
from control_plane.automation.node_types import NodeType


class Transform(Computing):
    node_type = NodeType.TRANSFORM

    def check(self, config: Mapping[str, Any]) -> list[ConfigIssue]:
        return []

    async def run(self, node: NodeRun) -> dict[str, Any]:
        if "output" not in node.config:
            return dict(node.input)
        value = expressions.render(node.config["output"], node.scope)
        return value if isinstance(value, dict) else {"value": value}


register(Transform())
