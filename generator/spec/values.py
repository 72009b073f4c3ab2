"""Checks one value (a default or an example) the way the generated app will check it.

The generated models and this module share the same rules: the Python type of each field
type, its pydantic constraints, and the email and URL patterns below, rendered verbatim
into the generated `app/models/base.py` (a test keeps them equal).
"""

from __future__ import annotations

import datetime
import decimal
import functools
import uuid
from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, ConfigDict, Field, JsonValue, TypeAdapter, ValidationError

from generator.spec.models import FieldSpec, FieldType

EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
URL_PATTERN = r"^https?://[^\s/$.?#][^\s]*$"
UUID_PATTERN = r"^[0-9a-fA-F]{8}-?([0-9a-fA-F]{4}-?){3}[0-9a-fA-F]{12}$"
FORMAT_PATTERNS = {"email": EMAIL_PATTERN, "url": URL_PATTERN, "uuid": UUID_PATTERN}

# Default bounds of INTEGER and RELATION values (stored as bigint): the integers every
# JSON reader keeps exactly (I-JSON, RFC 7493), JavaScript and the docs pages included.
JSON_INTEGER_MIN = -(2**53 - 1)
JSON_INTEGER_MAX = 2**53 - 1
DEFAULT_SHORT_TEXT_LENGTH = 255
DEFAULT_LENGTHS = {
    FieldType.TEXT_SHORT: DEFAULT_SHORT_TEXT_LENGTH,
    FieldType.EMAIL: 254,
    FieldType.PHONE: 32,
    FieldType.URL: 2048,
}

PYTHON_TYPES: dict[FieldType, Any] = {
    FieldType.TEXT_SHORT: str,
    FieldType.TEXT_LONG: str,
    FieldType.EMAIL: str,
    FieldType.PHONE: str,
    FieldType.URL: str,
    FieldType.INTEGER: int,
    FieldType.DECIMAL: decimal.Decimal,
    FieldType.BOOLEAN: bool,
    FieldType.DATE: datetime.date,
    FieldType.DATETIME: datetime.datetime,
    FieldType.UUID: uuid.UUID,
    FieldType.JSON: JsonValue,
    FieldType.RELATION: int,
}


def json_number(value: decimal.Decimal) -> int | float:
    """A DECIMAL as the JSON number the app reads and writes (row_to_json writes numeric
    as a number, and the app refuses a DECIMAL sent as a string)."""
    return int(value) if value == value.to_integral_value() else float(value)


def format_of(spec: FieldSpec) -> str | None:
    """The format a text field is checked against: explicit, or implied by its type."""
    if spec.validation.format:
        return spec.validation.format
    return {FieldType.EMAIL: "email", FieldType.URL: "url"}.get(spec.field_type)


def constraints_of(spec: FieldSpec) -> dict[str, Any]:
    """The pydantic `Field(...)` constraints of a field, in a stable order."""
    rules = spec.validation
    found: dict[str, Any] = {}
    if spec.field_type in DEFAULT_LENGTHS or spec.field_type == FieldType.TEXT_LONG:
        if rules.min_length is not None:
            found["min_length"] = rules.min_length
        max_length = rules.max_length or DEFAULT_LENGTHS.get(spec.field_type)
        if max_length is not None:
            found["max_length"] = max_length
        if rules.pattern is not None:
            found["pattern"] = rules.pattern
    if spec.field_type in (FieldType.INTEGER, FieldType.RELATION):
        lowest = 1 if spec.field_type == FieldType.RELATION else JSON_INTEGER_MIN  # ids from 1
        found["ge"] = int(rules.min_value) if rules.min_value is not None else lowest
        found["le"] = int(rules.max_value) if rules.max_value is not None else JSON_INTEGER_MAX
    if spec.field_type == FieldType.DECIMAL:
        if rules.min_value is not None:
            found["ge"] = rules.min_value
        if rules.max_value is not None:
            found["le"] = rules.max_value
        if rules.max_digits is not None:
            found["max_digits"] = rules.max_digits
        if rules.decimal_places is not None:
            found["decimal_places"] = rules.decimal_places
        found["allow_inf_nan"] = False
    return found


def _matches(pattern: str, what: str) -> Any:
    adapter: TypeAdapter[str] = TypeAdapter(Annotated[str, Field(pattern=pattern)])

    def check(value: str) -> str:
        try:
            adapter.validate_python(value)
        except ValidationError:
            raise ValueError(f"not a valid {what}") from None
        return value

    return AfterValidator(check)


def value_adapter(spec: FieldSpec) -> TypeAdapter[Any]:
    """A validator with the generated app's rules for this field's values."""
    constraints = tuple(constraints_of(spec).items())
    return _adapter(spec.field_type, tuple(spec.choices or ()), constraints, format_of(spec))


@functools.lru_cache(maxsize=4096)
def _adapter(
    field_type: FieldType,
    choices: tuple[str, ...],
    constraints: tuple[tuple[str, Any], ...],
    fmt: str | None,
) -> TypeAdapter[Any]:
    """Building a validator costs ~0.5 ms and a spec repeats the same rules across many
    fields: each distinct set of rules is built once."""
    base: Any = Literal[choices] if field_type == FieldType.ENUM else PYTHON_TYPES[field_type]
    metadata: list[Any] = [Field(**dict(constraints))]
    if fmt:
        metadata.append(_matches(FORMAT_PATTERNS[fmt], fmt))
    annotated: Any = Annotated[(base, *metadata)]
    return TypeAdapter(annotated, config=ConfigDict(strict=False))


ValueCheck = Callable[[Any], str | None]


def value_checker(spec: FieldSpec) -> ValueCheck:
    """A function telling why a value is not valid for the field (None when it is). The
    validator is built once: build one checker per field when trying many values."""
    try:
        adapter = value_adapter(spec)
    except Exception as error:  # a bad pattern; checks.py reports it on its own
        reason = str(error)
        return lambda value: reason

    def problem(value: Any) -> str | None:
        try:
            adapter.validate_python(value)
        except ValidationError as error:
            return "; ".join(item["msg"] for item in error.errors())
        return None

    return problem


def value_problem(spec: FieldSpec, value: Any) -> str | None:
    """Why `value` is not a valid value of the field, or None when it is."""
    return value_checker(spec)(value)
