"""Checks of node configs shared by the executors: each appends a ConfigIssue (AUTO_007)
naming the key, so that `check()` reads as a list of rules.

A node is saved as it is being built (seed 004 saves `{"action_type": "send_email",
"template": ...}` before its recipient is known): `check()` (at save) looks at the keys
given; the keys a run needs are `missing()` at validation (`check_environment`) and
`require()`d again when the node runs."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from control_plane.automation.engine.nodes import ConfigIssue, NodeFailed

Issues = list[ConfigIssue]


def missing(config: Mapping[str, Any], keys: Collection[str]) -> Issues:
    """The keys a run needs that the config lacks (or holds empty)."""
    return [
        ConfigIssue(f"config.{key}", "Required.")
        for key in keys
        if config.get(key) is None or config.get(key) == ""
    ]


def require(config: Mapping[str, Any], keys: Collection[str]) -> None:
    """A run's guard: NodeFailed (AUTO_007) naming the first key missing."""
    for issue in missing(config, keys):
        raise NodeFailed(f"{issue.field}: {issue.message}", issue.code)


def text(config: Mapping[str, Any], key: str, issues: Issues) -> None:
    value = config.get(key)
    if value is not None and (not isinstance(value, str) or not value.strip()):
        issues.append(ConfigIssue(f"config.{key}", "A non-empty string."))


def texts(config: Mapping[str, Any], keys: Collection[str]) -> Issues:
    """`text` of each key: the whole check of a node whose config is only strings."""
    issues: Issues = []
    for key in keys:
        text(config, key, issues)
    return issues


def choice(
    config: Mapping[str, Any], key: str, allowed: Collection[str], issues: Issues, default: str
) -> None:
    value = config.get(key, default)
    if value not in allowed:
        issues.append(ConfigIssue(f"config.{key}", f"One of {', '.join(sorted(allowed))}."))


def number(config: Mapping[str, Any], key: str, low: float, high: float, issues: Issues) -> None:
    value = config.get(key)
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        issues.append(ConfigIssue(f"config.{key}", f"A number from {low:g} to {high:g}."))


def mapping(config: Mapping[str, Any], key: str, issues: Issues) -> None:
    value = config.get(key)
    if value is not None and not isinstance(value, dict):
        issues.append(ConfigIssue(f"config.{key}", "An object."))


def flag(config: Mapping[str, Any], key: str, issues: Issues) -> None:
    if key in config and not isinstance(config[key], bool):
        issues.append(ConfigIssue(f"config.{key}", "true or false."))
