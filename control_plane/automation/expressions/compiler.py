"""A parsed tree made into nested Python closures, once per expression text: evaluating
is then a few calls per node, no tree walk and no `eval`. Member access reads mapping
keys and list indexes only; nothing reaches a Python attribute."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any

from lark import Tree

from control_plane.automation.expressions import values
from control_plane.automation.expressions.errors import ExpressionError
from control_plane.automation.expressions.functions import FUNCTIONS, duration
from control_plane.automation.expressions.strings import unquote

Scope = Mapping[str, Any]
Evaluator = Callable[[Scope], Any]


class MissingKey(ExpressionError):
    """A name or key that is not there: `has()` and `default()` catch this one only."""


def compile_tree(tree: Tree[Any]) -> Evaluator:
    return _compile(tree)[0]


def _compile(node: Tree[Any]) -> tuple[Evaluator, str]:
    """The evaluator of `node` and a short text of it for error messages."""
    return _BUILDERS[str(node.data)](node.children)


def _constant(value: Any, text: str) -> tuple[Evaluator, str]:
    return (lambda scope: value), text


def _integer(children: list[Any]) -> tuple[Evaluator, str]:
    value = values.bounded(int(children[0]))
    return _constant(value, str(value))


def _real(children: list[Any]) -> tuple[Evaluator, str]:
    return _constant(values.bounded(float(children[0])), str(children[0]))


def _string(children: list[Any]) -> tuple[Evaluator, str]:
    return _constant(unquote(str(children[0])), str(children[0])[:20])


def _duration(children: list[Any]) -> tuple[Evaluator, str]:
    number, unit = str(children[0]), str(children[1])
    amount = float(number) if "." in number else int(number)
    return _constant(duration(amount, unit), f"{amount} {unit}")


def _name(children: list[Any]) -> tuple[Evaluator, str]:
    name = str(children[0])

    def evaluate(scope: Scope) -> Any:
        try:
            return scope[name]
        except KeyError:
            known = ", ".join(sorted(scope)[:10])
            raise MissingKey(f"unknown name {name!r} (known: {known})") from None

    return evaluate, name


def _field(children: list[Any]) -> tuple[Evaluator, str]:
    base, base_text = _compile(children[0])
    key = str(children[1])
    return _lookup(base, base_text, lambda scope: key), f"{base_text}.{key}"


def _index(children: list[Any]) -> tuple[Evaluator, str]:
    base, base_text = _compile(children[0])
    key, key_text = _compile(children[1])
    return _lookup(base, base_text, key), f"{base_text}[{key_text}]"


def _lookup(base: Evaluator, base_text: str, key_of: Evaluator) -> Evaluator:
    def evaluate(scope: Scope) -> Any:
        container, key = base(scope), key_of(scope)
        if container.__class__ is dict or isinstance(container, Mapping):
            if not isinstance(key, str):
                raise ExpressionError(f"{base_text} is a map: its keys are strings")
            try:
                return container[key]
            except KeyError:
                raise MissingKey(f"{base_text} has no key {key[:40]!r}") from None
        if isinstance(container, list):
            if not values.is_number(key) or not isinstance(key, int):
                raise ExpressionError(f"{base_text} is a list: its indexes are integers")
            if not 0 <= key < len(container):
                raise MissingKey(f"{base_text} has no index {key} (size {len(container)})")
            return container[key]
        raise ExpressionError(f"{base_text} is a {values.type_name(container)}, not a map")

    return evaluate


def _boolean(value: Any, operator: str) -> bool:
    if value is True or value is False:
        return value
    raise ExpressionError(f"{operator} needs booleans, got a {values.type_name(value)}")


def _chain(children: list[Any], operator: str, stop_at: bool) -> tuple[Evaluator, str]:
    """`a && b && c` (stop at the first false) or `a || b || c` (at the first true)."""
    operands = [_compile(child) for child in children]
    evaluators = [evaluate for evaluate, _ in operands]

    def evaluate(scope: Scope) -> bool:
        for operand in evaluators:
            if _boolean(operand(scope), operator) is stop_at:
                return stop_at
        return not stop_at

    return evaluate, f" {operator} ".join(text for _, text in operands)


def _and(children: list[Any]) -> tuple[Evaluator, str]:
    return _chain(children, "&&", stop_at=False)


def _or(children: list[Any]) -> tuple[Evaluator, str]:
    return _chain(children, "||", stop_at=True)


def _not(children: list[Any]) -> tuple[Evaluator, str]:
    operand, text = _compile(children[0])
    return (lambda scope: not _boolean(operand(scope), "!")), f"!{text}"


def _negative(children: list[Any]) -> tuple[Evaluator, str]:
    operand, text = _compile(children[0])
    return (lambda scope: values.negate(operand(scope))), f"-{text}"


_ARITHMETIC: dict[str, Callable[[Any, Any], Any]] = {
    "+": values.add,
    "-": values.subtract,
    "*": values.multiply,
    "/": values.divide,
    "%": values.remainder,
}


def _arithmetic(children: list[Any]) -> tuple[Evaluator, str]:
    """A left-to-right chain (`a + b - c`) as one loop, so a long sum is not a deep tree."""
    first, text = _compile(children[0])
    steps = []
    for position in range(1, len(children), 2):
        right, right_text = _compile(children[position + 1])
        steps.append((_ARITHMETIC[str(children[position])], right))
        text = f"{text} {children[position]} {right_text}"

    def evaluate(scope: Scope) -> Any:
        result = first(scope)
        for operation, right in steps:
            result = operation(result, right(scope))
        return result

    return evaluate, text


def _comparison(children: list[Any]) -> tuple[Evaluator, str]:
    left, left_text = _compile(children[0])
    operator = str(children[1])
    right, right_text = _compile(children[2])
    text = f"{left_text} {operator} {right_text}"
    if operator == "==":
        return (lambda scope: values.equal(left(scope), right(scope))), text
    if operator == "!=":
        return (lambda scope: not values.equal(left(scope), right(scope))), text
    return (lambda scope: values.compare(operator, left(scope), right(scope))), text


def _member_of(children: list[Any]) -> tuple[Evaluator, str]:
    member, member_text = _compile(children[0])
    container, container_text = _compile(children[2])
    text = f"{member_text} in {container_text}"
    return (lambda scope: values.contains(container(scope), member(scope))), text


def _ternary(children: list[Any]) -> tuple[Evaluator, str]:
    (condition, text), (then, _), (otherwise, _) = (_compile(child) for child in children)

    def evaluate(scope: Scope) -> Any:
        return then(scope) if _boolean(condition(scope), "?:") else otherwise(scope)

    return evaluate, f"{text} ? ..."


def _list(children: list[Any]) -> tuple[Evaluator, str]:
    members = [_compile(child)[0] for child in children]
    return (lambda scope: [member(scope) for member in members]), "[...]"


def _map(children: list[Any]) -> tuple[Evaluator, str]:
    pairs = [(_compile(pair.children[0]), _compile(pair.children[1])[0]) for pair in children]

    def evaluate(scope: Scope) -> dict[str, Any]:
        result = {}
        for (key, key_text), value in pairs:
            name = key(scope)
            if not isinstance(name, str):
                raise ExpressionError(f"a map's key is a string, not {key_text}")
            result[name] = value(scope)
        return result

    return evaluate, "{...}"


def _call(children: list[Any]) -> tuple[Evaluator, str]:
    name = str(children[0])
    arguments = [_compile(child) for child in children[1:]]
    if name in _SPECIAL_FORMS:
        return _SPECIAL_FORMS[name](arguments)
    if name not in FUNCTIONS:
        raise ExpressionError(f"unknown function {name}() (known: {', '.join(sorted(FUNCTIONS))})")
    function = FUNCTIONS[name]
    try:
        inspect.signature(function).bind(*arguments)
    except TypeError:
        raise ExpressionError(f"{name}() does not take {len(arguments)} arguments") from None
    evaluators = [evaluate for evaluate, _ in arguments]
    text = f"{name}({', '.join(text for _, text in arguments)})"
    return (lambda scope: function(*(argument(scope) for argument in evaluators))), text


def _has(arguments: list[tuple[Evaluator, str]]) -> tuple[Evaluator, str]:
    """`has(input_data.x)`: whether the name or key is there (null counts as there)."""
    if len(arguments) != 1:
        raise ExpressionError("has() takes one name or key, as has(input_data.email)")
    path, text = arguments[0]

    def evaluate(scope: Scope) -> bool:
        try:
            path(scope)
        except MissingKey:
            return False
        return True

    return evaluate, f"has({text})"


def _default(arguments: list[tuple[Evaluator, str]]) -> tuple[Evaluator, str]:
    """`default(input_data.x, "none")`: the fallback when the key is missing or null."""
    if len(arguments) != 2:
        raise ExpressionError("default() takes a value and a fallback")
    (value, text), (fallback, _) = arguments

    def evaluate(scope: Scope) -> Any:
        try:
            result = value(scope)
        except MissingKey:
            return fallback(scope)
        return fallback(scope) if result is None else result

    return evaluate, f"default({text}, ...)"


_SPECIAL_FORMS: dict[str, Callable[[list[tuple[Evaluator, str]]], tuple[Evaluator, str]]] = {
    "default": _default,
    "has": _has,
}

_BUILDERS: dict[str, Callable[[list[Any]], tuple[Evaluator, str]]] = {
    "and_expr": _and,
    "call": _call,
    "comparison": _comparison,
    "duration": _duration,
    "false": lambda children: _constant(False, "false"),
    "field": _field,
    "index": _index,
    "integer": _integer,
    "list": _list,
    "map": _map,
    "member_of": _member_of,
    "name": _name,
    "negative": _negative,
    "not_": _not,
    "null": lambda children: _constant(None, "null"),
    "or_expr": _or,
    "product": _arithmetic,
    "real": _real,
    "string": _string,
    "sum": _arithmetic,
    "ternary": _ternary,
    "true": lambda children: _constant(True, "true"),
}
