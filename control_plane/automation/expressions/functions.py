"""The functions an expression may call, by name. `has` and `default` are not here: they
read their argument unevaluated, so the compiler builds them (compiler.py)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from control_plane.automation.expressions.errors import MAX_STRING_LENGTH, ExpressionError
from control_plane.automation.expressions.values import (
    as_text,
    bounded,
    compare,
    contains,
    is_number,
    type_name,
)

Function = Callable[..., Any]

DURATION_UNITS = {
    "second": 1,
    "seconds": 1,
    "minute": 60,
    "minutes": 60,
    "hour": 3_600,
    "hours": 3_600,
    "day": 86_400,
    "days": 86_400,
    "week": 604_800,
    "weeks": 604_800,
}


def _string(value: Any, function: str) -> str:
    if not isinstance(value, str):
        raise ExpressionError(f"{function}() needs a string, got a {type_name(value)}")
    return value


def _size(value: Any) -> int:
    if isinstance(value, str | list | Mapping):
        return len(value)
    raise ExpressionError(f"size() needs a string, list or map, got a {type_name(value)}")


def _contains(container: Any, member: Any) -> bool:
    return contains(container, member)


def _starts_with(text: Any, prefix: Any) -> bool:
    return _string(text, "startsWith").startswith(_string(prefix, "startsWith"))


def _ends_with(text: Any, suffix: Any) -> bool:
    return _string(text, "endsWith").endswith(_string(suffix, "endsWith"))


def _int(value: Any) -> int:
    if isinstance(value, str):
        try:
            return int(bounded(int(value.strip())))
        except ValueError as error:
            raise ExpressionError(f"int() cannot read {value[:40]!r}") from error
    if is_number(value):
        return int(bounded(int(value)))
    raise ExpressionError(f"int() needs a number or a string, got a {type_name(value)}")


def _float(value: Any) -> float:
    if isinstance(value, str):
        try:
            return float(bounded(float(value.strip())))
        except ValueError as error:
            raise ExpressionError(f"float() cannot read {value[:40]!r}") from error
    if is_number(value):
        return float(value)
    raise ExpressionError(f"float() needs a number or a string, got a {type_name(value)}")


def _now() -> datetime:
    return datetime.now(UTC)


def _today() -> datetime:
    return datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def _date(value: Any) -> datetime:
    """An ISO 8601 date or date-time as a date (UTC when it names no offset)."""
    try:
        parsed = datetime.fromisoformat(_string(value, "date"))
    except ValueError as error:
        raise ExpressionError(f"date() cannot read {value[:40]!r}") from error
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def duration(amount: Any, unit: Any) -> timedelta:
    if not is_number(amount):
        raise ExpressionError(f"a duration needs a number, got a {type_name(amount)}")
    if unit not in DURATION_UNITS:
        raise ExpressionError(f"unknown duration unit {unit!r} (use {', '.join(DURATION_UNITS)})")
    try:
        return timedelta(seconds=amount * DURATION_UNITS[unit])
    except OverflowError as error:
        raise ExpressionError("duration out of range") from error


def _round(value: Any, digits: Any = 0) -> Any:
    if not is_number(value) or not isinstance(digits, int) or isinstance(digits, bool):
        raise ExpressionError("round() needs a number and a whole number of digits")
    if not 0 <= digits <= 15:
        raise ExpressionError("round() keeps 0 to 15 digits")
    return bounded(round(value) if digits == 0 else round(value, digits))


def _extreme(name: str, values: tuple[Any, ...]) -> Any:
    members = values[0] if len(values) == 1 and isinstance(values[0], list) else list(values)
    if not members:
        raise ExpressionError(f"{name}() of nothing")
    best = members[0]
    for member in members[1:]:
        if compare("<" if name == "min" else ">", member, best):
            best = member
    return best


def _min(*values: Any) -> Any:
    return _extreme("min", values)


def _max(*values: Any) -> Any:
    return _extreme("max", values)


def _abs(value: Any) -> Any:
    if is_number(value) or isinstance(value, timedelta):
        return abs(value)
    raise ExpressionError(f"abs() needs a number, got a {type_name(value)}")


def _join(values: Any, separator: Any = "") -> str:
    if not isinstance(values, list):
        raise ExpressionError(f"join() needs a list, got a {type_name(values)}")
    glue = _string(separator, "join")
    texts: list[str] = []
    length = 0
    for value in values:
        texts.append(as_text(value))
        length += len(texts[-1]) + len(glue)
        if length > MAX_STRING_LENGTH + len(glue):
            raise ExpressionError(f"string longer than {MAX_STRING_LENGTH} characters")
    return glue.join(texts)


def _split(text: Any, separator: Any) -> list[str]:
    if not _string(separator, "split"):
        raise ExpressionError("split() needs a separator that is not empty")
    return list(bounded(_string(text, "split").split(separator)))


FUNCTIONS: dict[str, Function] = {
    "abs": _abs,
    "contains": _contains,
    "date": _date,
    "duration": duration,
    "endsWith": _ends_with,
    "float": _float,
    "int": _int,
    "join": _join,
    "len": _size,
    "lower": lambda text: bounded(_string(text, "lower").lower()),
    "max": _max,
    "min": _min,
    "now": _now,
    "round": _round,
    "size": _size,
    "split": _split,
    "startsWith": _starts_with,
    "string": lambda value: bounded(as_text(value)),
    "today": _today,
    "trim": lambda text: _string(text, "trim").strip(),
    "upper": lambda text: bounded(_string(text, "upper").upper()),
}
