"""The expression language of workflows (docs/automation.md, "Expressions"): evaluated
without Python's `eval`, with bounded time, depth and output size.

The seed's forms must work: `{{input_data.client_email}}` in any string of a node's
config, `validation_result == true`, `input_data.client_exists == true &&
input_data.is_vip == true`, `{{now() + 7 days}}`.

INTERFACE (the contract; the `expressions` helper implements it):

    class ExpressionError(ValueError)
        message names what is wrong (position, unknown name...); the API turns it into
        AUTO_007 with details {<field path>: message}.

    def check(expression: str) -> None
        Parse only (saving a node or edge): raise ExpressionError if it cannot parse.

    def evaluate(expression: str, scope: Mapping[str, Any]) -> Any
        The value of one expression (no `{{ }}`) over `scope`, a JSON-like mapping
        (dicts, lists, str, int, float, bool, None). Results are JSON values; dates and
        times come back as ISO 8601 strings in UTC.

    def truthy(expression: str, scope: Mapping[str, Any]) -> bool
        A condition: evaluate, and require a boolean (else ExpressionError).

    def render(value: Any, scope: Mapping[str, Any]) -> Any
        A node config (any JSON value) with its templates resolved: a string that is
        exactly one `{{ expr }}` becomes the expression's value (typed: a number stays a
        number); templates inside longer text are formatted into it; dicts and lists are
        rendered member by member; other values are returned as they are.

    def templates_of(value: Any) -> list[str]
        The expressions of every `{{ }}` inside `value` (for validation: check each).

THE LANGUAGE (docs/automation.md, "Expressions", has the reference): our own grammar
(grammar.py, lark LALR), compiled once per text into closures (compiler.py, cached here
by text), operators over JSON values plus dates and durations (values.py), a fixed table
of functions (functions.py), `{{ }}` templates (templates.py). Limits: errors.py.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from control_plane.automation.expressions import templates
from control_plane.automation.expressions.compiler import Evaluator, compile_tree
from control_plane.automation.expressions.errors import ExpressionError
from control_plane.automation.expressions.grammar import parse
from control_plane.automation.expressions.values import as_json, type_name

__all__ = ["ExpressionError", "check", "evaluate", "render", "templates_of", "truthy"]


@lru_cache(maxsize=4096)
def _compiled(expression: str) -> Evaluator:
    return compile_tree(parse(expression))


@contextmanager
def _shallow_values() -> Iterator[None]:
    """A scope value nested a thousand levels deep (a webhook's JSON) meets Python's own
    recursion in ==, in JSON text and in the result's conversion: an error, not a crash."""
    try:
        yield
    except RecursionError:
        raise ExpressionError("a value is nested too deeply") from None


def check(expression: str) -> None:
    _compiled(expression)


def evaluate(expression: str, scope: Mapping[str, Any]) -> Any:
    with _shallow_values():
        return as_json(_compiled(expression)(scope))


def truthy(expression: str, scope: Mapping[str, Any]) -> bool:
    with _shallow_values():
        value = _compiled(expression)(scope)
    if value is True or value is False:
        return value
    raise ExpressionError(f"a condition must be true or false, not a {type_name(value)}")


def render(value: Any, scope: Mapping[str, Any]) -> Any:
    with _shallow_values():
        return templates.render(value, scope, evaluate)


def templates_of(value: Any) -> list[str]:
    with _shallow_values():
        return templates.templates_of(value)
