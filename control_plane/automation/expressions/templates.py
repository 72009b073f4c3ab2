"""`{{ expression }}` inside the strings of a node's config. A rendered value is never
rendered again: text that an expression returns is data, even if it contains `{{ }}`."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from control_plane.automation.expressions.errors import MAX_STRING_LENGTH, ExpressionError
from control_plane.automation.expressions.values import as_text

# The shortest `{{ ... }}`: a map literal inside a template needs a space in `} }`.
TEMPLATE = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)

Evaluate = Callable[[str, Mapping[str, Any]], Any]


def render(value: Any, scope: Mapping[str, Any], evaluate: Evaluate) -> Any:
    if isinstance(value, str):
        return _render_text(value, scope, evaluate)
    if isinstance(value, Mapping):
        return {
            as_text(render(key, scope, evaluate)): render(item, scope, evaluate)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [render(item, scope, evaluate) for item in value]
    return value


def _render_text(text: str, scope: Mapping[str, Any], evaluate: Evaluate) -> Any:
    if "{{" not in text:
        return text
    whole = TEMPLATE.fullmatch(text)
    if whole is not None and "}}" not in whole.group(1):
        return evaluate(whole.group(1), scope)
    rendered = TEMPLATE.sub(lambda found: as_text(evaluate(found.group(1), scope)), text)
    if len(rendered) > MAX_STRING_LENGTH:
        raise ExpressionError(f"rendered text longer than {MAX_STRING_LENGTH} characters")
    return rendered


def templates_of(value: Any) -> list[str]:
    if isinstance(value, str):
        return [found.group(1) for found in TEMPLATE.finditer(value)]
    if isinstance(value, Mapping):
        return [found for key, item in value.items() for found in templates_of([key, item])]
    if isinstance(value, list):
        return [found for item in value for found in templates_of(item)]
    return []
