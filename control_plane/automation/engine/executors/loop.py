"""`loop`: config `{"items": <template giving a list>, "body": <the id or name of the body's
first node>, "max_iterations": n}` (n from 1 to 1000, 100 by default). The engine runs the
loop's body (from `body` up to the nodes whose edges come back to the loop) once per item,
with `item` and `index` in scope; then its other edges. Output: `{"items": [...], "count":
n, "results": [the merged outputs of the body's last nodes, per iteration]}`. More items
than max_iterations, or no list, fails the node; without `body` the loop has no body."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from control_plane.automation import expressions
from control_plane.automation.engine.executors.base import Computing
from control_plane.automation.engine.nodes import ConfigIssue, NodeFailed, NodeRun, register
from control_plane.automation.node_types import NodeType

DEFAULT_ITERATIONS = 100
MAX_ITERATIONS = 1000


def _limit(config: Mapping[str, Any]) -> int | None:
    limit = config.get("max_iterations", DEFAULT_ITERATIONS)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_ITERATIONS:
        return None
    return limit


class Loop(Computing):
    node_type = NodeType.LOOP

    def check(self, config: Mapping[str, Any]) -> list[ConfigIssue]:
        issues = []
        if not isinstance(config.get("items", ""), str | list):
            issues.append(ConfigIssue("config.items", "A list, or a template giving one."))
        if not isinstance(config.get("body", ""), str):
            issues.append(ConfigIssue("config.body", "The id or name of the body's first node."))
        if _limit(config) is None:
            issues.append(
                ConfigIssue("config.max_iterations", f"An integer from 1 to {MAX_ITERATIONS}.")
            )
        return issues

    async def run(self, node: NodeRun) -> dict[str, Any]:
        items = expressions.render(node.config.get("items"), node.scope)
        if not isinstance(items, list):
            raise NodeFailed(f"items must be a list, not {type(items).__name__}", "AUTO_007")
        limit = _limit(node.config) or DEFAULT_ITERATIONS
        if len(items) > limit:
            raise NodeFailed(f"{len(items)} items, more than max_iterations ({limit})", "AUTO_007")
        return {"items": items, "count": len(items)}


register(Loop())
