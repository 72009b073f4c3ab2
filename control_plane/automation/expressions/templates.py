"""`{{ expression }}` inside the strings of a node's config. A rendered value is never
rendered again: text that an expression returns is data, even if it contains `{{ }}`."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from control_plane.automation.expressions.errors import MAX_STRING_LENGTH, ExpressionError
from control_plane.automation.expressions.values import as_text

Evaluate = Callable[[str, Mapping[str, Any]], Any]


def _templates(text: str) -> Iterator[tuple[int, int, str]]:
    """Each `{{ ... }}` as (start, end, expression), ending at the first `}}`: a map literal
    inside a template needs a space in `} }`. An unclosed `{{` is text. Linear in the text
    (a regular expression such as `{{(.*?)}}` is quadratic on `{{{{{{...`)."""
    position = 0
    while (start := text.find("{{", position)) != -1:
        end = text.find("}}", start + 2)
        if end == -1:
            return
        yield start, end + 2, text[start + 2 : end]
        position = end + 2


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
    found = list(_templates(text))
    if len(found) == 1 and found[0][0] == 0 and found[0][1] == len(text):
        return evaluate(found[0][2], scope)
    pieces: list[str] = []
    length = 0
    position = 0
    for start, end, expression in found:
        pieces += [text[position:start], as_text(evaluate(expression, scope))]
        length += len(pieces[-2]) + len(pieces[-1])
        if length > MAX_STRING_LENGTH:
            raise ExpressionError(f"rendered text longer than {MAX_STRING_LENGTH} characters")
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


def templates_of(value: Any) -> list[str]:
    if isinstance(value, str):
        return [expression for _, _, expression in _templates(value)]
    if isinstance(value, Mapping):
        return [found for key, item in value.items() for found in templates_of([key, item])]
    if isinstance(value, list):
        return [found for item in value for found in templates_of(item)]
    return []
