"""`trigger`: where an execution starts; its output is the execution's input_data."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from control_plane.automation.engine.executors.base import Computing
from control_plane.automation.engine.nodes import ConfigIssue, NodeRun, register
from control_plane.automation.node_types import NodeType


class Trigger(Computing):
    node_type = NodeType.TRIGGER

    def check(self, config: Mapping[str, Any]) -> list[ConfigIssue]:
        return []

    async def run(self, node: NodeRun) -> dict[str, Any]:
        return dict(node.input)


register(Trigger())
