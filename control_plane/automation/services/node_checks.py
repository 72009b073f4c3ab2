"""The static checks of a node's config, run when it is saved and when a workflow is
validated: its executor's `check()` (when its node type has one registered), and every
expression in it parsed: each `{{ }}` template in its strings, and a condition node's
`condition`."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from control_plane.automation import expressions
from control_plane.automation.engine.nodes import EXECUTORS, ConfigIssue
from control_plane.automation.node_types import NodeType


def expression_issue(expression: str) -> str | None:
    """What is wrong with an expression, or None when it parses."""
    try:
        expressions.check(expression)
    except expressions.ExpressionError as error:
        return str(error)
    return None


def config_issues(node_type: NodeType, config: Mapping[str, Any]) -> list[ConfigIssue]:
    executor = EXECUTORS.get(node_type)
    issues = list(executor.check(config)) if executor is not None else []
    condition = config.get("condition") if node_type is NodeType.CONDITION else None
    if isinstance(condition, str) and (problem := expression_issue(condition)):
        issues.append(ConfigIssue("config.condition", problem))
    for path, text in _strings(config, "config"):
        for template in expressions.templates_of(text):
            if problem := expression_issue(template):
                issues.append(ConfigIssue(path, problem))
    return issues


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """Each string inside a JSON value, with its path (`config.data.title`, `config.to[0]`)."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, Mapping):
        for key, member in value.items():
            yield from _strings(member, f"{path}.{key}")
    elif isinstance(value, list):
        for index, member in enumerate(value):
            yield from _strings(member, f"{path}[{index}]")
