"""What the language's values are, and the operators on them: JSON values (None, bool,
int, float, str, list, mapping) plus dates (aware UTC datetimes) and durations
(timedeltas), which leave an expression as ISO 8601 strings and seconds."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from control_plane.automation.expressions.errors import (
    MAX_INTEGER,
    MAX_LIST_LENGTH,
    MAX_STRING_LENGTH,
    ExpressionError,
)


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, Mapping):
        return "map"
    if isinstance(value, datetime):
        return "date"
    if isinstance(value, timedelta):
        return "duration"
    return type(value).__name__


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def bounded(value: Any) -> Any:
    """`value` if it is within the limits of what an expression may produce."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        if abs(value) > MAX_INTEGER:
            raise ExpressionError(f"integer out of range (more than {MAX_INTEGER})")
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ExpressionError("the result is not a finite number")
    elif isinstance(value, str):
        if len(value) > MAX_STRING_LENGTH:
            raise ExpressionError(f"string longer than {MAX_STRING_LENGTH} characters")
    elif isinstance(value, list | dict) and len(value) > MAX_LIST_LENGTH:
        raise ExpressionError(f"{type_name(value)} longer than {MAX_LIST_LENGTH} members")
    return value


def _mismatch(operator: str, left: Any, right: Any) -> ExpressionError:
    return ExpressionError(f"cannot apply {operator} to {type_name(left)} and {type_name(right)}")


def add(left: Any, right: Any) -> Any:
    if is_number(left) and is_number(right):
        return bounded(left + right)
    if isinstance(left, str) and isinstance(right, str):
        return bounded(left + right)
    if isinstance(left, list) and isinstance(right, list):
        return bounded(left + right)
    if isinstance(left, datetime | timedelta) and isinstance(right, timedelta):
        return _dated(lambda: left + right)
    if isinstance(left, timedelta) and isinstance(right, datetime):
        return _dated(lambda: right + left)
    raise _mismatch("+", left, right)


def subtract(left: Any, right: Any) -> Any:
    if is_number(left) and is_number(right):
        return bounded(left - right)
    if isinstance(left, datetime | timedelta) and isinstance(right, timedelta):
        return _dated(lambda: left - right)
    if isinstance(left, datetime) and isinstance(right, datetime):
        return left - right
    raise _mismatch("-", left, right)


def multiply(left: Any, right: Any) -> Any:
    if is_number(left) and is_number(right):
        return bounded(left * right)
    if isinstance(left, timedelta) and is_number(right):
        return _dated(lambda: left * right)
    if is_number(left) and isinstance(right, timedelta):
        return _dated(lambda: right * left)
    raise _mismatch("*", left, right)


def divide(left: Any, right: Any) -> Any:
    if not (is_number(left) and is_number(right)):
        raise _mismatch("/", left, right)
    if right == 0:
        raise ExpressionError("division by zero")
    if isinstance(left, int) and isinstance(right, int) and left % right == 0:
        return left // right
    return bounded(left / right)


def remainder(left: Any, right: Any) -> Any:
    if not (is_number(left) and is_number(right)):
        raise _mismatch("%", left, right)
    if right == 0:
        raise ExpressionError("modulo by zero")
    return left % right


def negate(value: Any) -> Any:
    if is_number(value):
        return -value
    if isinstance(value, timedelta):
        return -value
    raise ExpressionError(f"cannot negate a {type_name(value)}")


def _dated(operation: Any) -> Any:
    try:
        return operation()
    except OverflowError as error:
        raise ExpressionError("date or duration out of range") from error


def equal(left: Any, right: Any) -> bool:
    """JSON equality: a boolean is never equal to a number (Python's True == 1 is not)."""
    return bool(left == right) and (left.__class__ is bool) == (right.__class__ is bool)


def _order_key(value: Any) -> type:
    if is_number(value):
        return float
    return type(value)


def compare(operator: str, left: Any, right: Any) -> bool:
    orderable = is_number(left) or isinstance(left, str | datetime | timedelta)
    if not orderable or _order_key(left) is not _order_key(right):
        raise _mismatch(operator, left, right)
    if operator == "<":
        return bool(left < right)
    if operator == "<=":
        return bool(left <= right)
    if operator == ">":
        return bool(left > right)
    return bool(left >= right)


def contains(container: Any, member: Any) -> bool:
    """`member in container`: a list's member, a map's key, a substring."""
    if isinstance(container, list):
        return any(equal(item, member) for item in container)
    if isinstance(container, Mapping):
        return isinstance(member, str) and member in container
    if isinstance(container, str) and isinstance(member, str):
        return member in container
    raise ExpressionError(f"cannot look for a {type_name(member)} in a {type_name(container)}")


def as_json(value: Any) -> Any:
    """An expression's result as a JSON value: dates as ISO 8601 UTC, durations in seconds."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, timedelta):
        seconds = value.total_seconds()
        return int(seconds) if seconds.is_integer() else seconds
    if isinstance(value, list):
        return [as_json(item) for item in value]
    if isinstance(value, Mapping):
        return {str(key): as_json(item) for key, item in value.items()}
    raise ExpressionError(f"a {type_name(value)} is not a JSON value")


def as_text(value: Any) -> str:
    """A value inside text (a template in a longer string, `string()`): a string as it
    is, anything else as its JSON text, refused before it is built if it would be too long
    (`string([s, s, s, ...])` of a long `s`)."""
    if not isinstance(value, str):
        _check_text_size(value)
    converted = as_json(value)
    if isinstance(converted, str):
        return converted
    return json.dumps(converted, ensure_ascii=False, separators=(",", ":"))


def _check_text_size(value: Any) -> None:
    """Whether `value`'s JSON text may exceed MAX_STRING_LENGTH: counted without building
    it, stopping as soon as it is over (so at most that many members are visited)."""
    total = 0
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            total += len(item) + 2
        elif isinstance(item, list):
            total += 2 + len(item)
            pending.extend(item)
        elif isinstance(item, Mapping):
            total += 2 + 2 * len(item)
            pending.extend(item.keys())
            pending.extend(item.values())
        else:
            total += 4
        if total > MAX_STRING_LENGTH:
            raise ExpressionError(f"string longer than {MAX_STRING_LENGTH} characters")
