"""What the engine's own executors share: they compute only (no side effects) and need
nothing from the database to be checked."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from control_plane.automation import expressions
from control_plane.automation.engine.nodes import ConfigIssue, NodeServices


class Computing:
    def has_side_effects(self, config: Mapping[str, Any]) -> bool:
        return False

    async def check_environment(
        self, config: Mapping[str, Any], organization_id: uuid.UUID, services: NodeServices
    ) -> list[ConfigIssue]:
        return []


def expression_issues(config: Mapping[str, Any]) -> list[ConfigIssue]:
    """An issue per template of the config that does not parse."""
    issues = []
    for template in expressions.templates_of(dict(config)):
        try:
            expressions.check(template)
        except expressions.ExpressionError as error:
            issues.append(ConfigIssue("config", f"{template}: {error}"))
    return issues
