"""Static checks of node configs shared by the executors: each appends a ConfigIssue
(AUTO_007) naming the key, so that `check()` reads as a list of rules."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from control_plane.automation.engine.nodes import ConfigIssue

Issues = list[ConfigIssue]


def text(config: Mapping[str, Any], key: str, issues: Issues, *, required: bool = True) -> None:
    value = config.get(key)
    if value is None and not required:
        return
    if not isinstance(value, str) or not value.strip():
        issues.append(ConfigIssue(f"config.{key}", "Required: a non-empty string."))


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


def mapping(config: Mapping[str, Any], key: str, issues: Issues, *, required: bool = False) -> None:
    value = config.get(key)
    if value is None and not required:
        return
    if not isinstance(value, dict):
        issues.append(ConfigIssue(f"config.{key}", "An object."))


def flag(config: Mapping[str, Any], key: str, issues: Issues) -> None:
    if key in config and not isinstance(config[key], bool):
        issues.append(ConfigIssue(f"config.{key}", "true or false."))
