"""`delay`: config `{"seconds" | "minutes" | "hours": <number or template>}` (together they
add up; none: no wait), at most 30 days. The engine makes the wait durable: the execution
is saved and a job resumes it when the time comes, no worker held meanwhile. Output:
`{"delay_seconds": n, "waited_until": <ISO time>}` (a dry run does not wait)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from control_plane.automation import expressions
from control_plane.automation.engine.executors.base import Computing
from control_plane.automation.engine.nodes import ConfigIssue, NodeFailed, NodeRun, register
from control_plane.automation.node_types import NodeType

UNITS = {"seconds": 1, "minutes": 60, "hours": 3600}
MAX_DELAY_SECONDS = 30 * 86_400


class Delay(Computing):
    node_type = NodeType.DELAY

    def check(self, config: Mapping[str, Any]) -> list[ConfigIssue]:
        return [
            ConfigIssue(f"config.{unit}", "A number, or a template giving one.")
            for unit in UNITS
            if unit in config
            and (isinstance(config[unit], bool) or not isinstance(config[unit], int | float | str))
        ]

    async def run(self, node: NodeRun) -> dict[str, Any]:
        total = 0.0
        for unit, factor in UNITS.items():
            if unit not in node.config:
                continue
            value = expressions.render(node.config[unit], node.scope)
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise NodeFailed(f"{unit} must be a number >= 0, not {value!r}", "AUTO_007")
            total += value * factor
        if total > MAX_DELAY_SECONDS:
            raise NodeFailed(f"a delay is at most {MAX_DELAY_SECONDS} seconds", "AUTO_007")
        return {"delay_seconds": total}


register(Delay())
