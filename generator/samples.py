"""Values for the generated tests: a valid sample of each field, distinct samples for
unique fields, and a value each field refuses. Every candidate is checked with the app's
own validation rules (`generator.spec.values`) before it is used."""

from __future__ import annotations

import datetime
import decimal
from typing import Any

from generator.literals import py
from generator.spec.models import NUMERIC_TYPES, TEXT_TYPES, FieldSpec, FieldType
from generator.spec.values import constraints_of, json_number, value_checker

# Candidate sample values for generated tests, tried in order until one is valid.
_SAMPLES: dict[FieldType, tuple[Any, ...]] = {
    FieldType.TEXT_SHORT: ("Sample", "Sample value", "sample", "x"),
    FieldType.TEXT_LONG: ("Sample text", "x"),
    FieldType.EMAIL: ("user@example.com",),
    FieldType.PHONE: ("+33612345678", "0612345678", "+1 555 0100"),
    FieldType.URL: ("https://example.com/",),
    FieldType.BOOLEAN: (True,),
    FieldType.DATE: ("2024-01-15",),
    FieldType.DATETIME: ("2024-01-15T10:30:00+00:00",),
    FieldType.UUID: ("7d444840-9dc0-11d1-b245-5ffdce74fad2",),
    FieldType.JSON: ({"key": "value"},),
}


def jsonable(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return json_number(value)
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    return value


def derive_sample(field: FieldSpec) -> Any:
    """A value the generated tests can send: the placeholder, or a typed candidate."""
    candidates: list[Any] = []
    # A number is sent as a JSON number: a placeholder text is no sample of it.
    if field.form_config.placeholder and field.field_type not in NUMERIC_TYPES:
        candidates.append(field.form_config.placeholder)
    rules = field.validation
    if field.field_type == FieldType.ENUM and field.choices:
        candidates.append(field.choices[0])
    elif field.field_type == FieldType.INTEGER:
        low = int(rules.min_value) if rules.min_value is not None else 1
        candidates.append(max(low, 1) if rules.max_value is None or rules.max_value >= 1 else low)
    elif field.field_type == FieldType.DECIMAL:
        places = rules.decimal_places if rules.decimal_places is not None else 2
        value = decimal.Decimal(1).quantize(decimal.Decimal(1).scaleb(-places))
        if rules.min_value is not None and value < rules.min_value:
            value = rules.min_value
        candidates.append(value)
    elif field.field_type in _SAMPLES:
        candidates.extend(_SAMPLES[field.field_type])
        if field.field_type in TEXT_TYPES and rules.min_length:
            candidates.append("x" * rules.min_length)
    problem = value_checker(field)
    for candidate in candidates:
        if problem(candidate) is None:
            return candidate
    return None


UNIQUE_SAMPLES = 8
_DIGITS = "0123456789"
_LETTERS = "abcdefghij"


def _text_variants(text: str) -> list[str]:
    """Small edits of a valid text, each likely to keep matching its pattern."""
    found = []
    at = text.find("@")
    if at > 0:
        found += [text[:at] + char + text[at:] for char in _DIGITS]
    for alphabet in (_DIGITS, _LETTERS, _LETTERS.upper()):
        last = max((i for i, char in enumerate(text) if char in alphabet), default=None)
        if last is not None:
            found += [text[:last] + char + text[last + 1 :] for char in alphabet]
    found += [text + char for char in _DIGITS]
    return found


def unique_variants(field: FieldSpec, sample: Any) -> list[Any]:
    """Up to UNIQUE_SAMPLES distinct valid values around `sample`, for unique fields."""
    if sample is None:
        return []
    if isinstance(sample, bool):
        candidates: list[Any] = [sample]
    elif isinstance(sample, int | float | decimal.Decimal) or field.field_type in NUMERIC_TYPES:
        base = decimal.Decimal(str(sample))
        candidates = [str(base + step) for step in range(UNIQUE_SAMPLES * 2)]
        if field.field_type == FieldType.INTEGER:
            candidates = [int(decimal.Decimal(value)) for value in candidates]
    else:
        candidates = [str(jsonable(sample)), *_text_variants(str(jsonable(sample)))]
    found: list[Any] = []
    problem = value_checker(field)
    for candidate in candidates:
        candidate = jsonable(candidate)
        if candidate not in found and problem(candidate) is None:
            found.append(candidate)
        if len(found) == UNIQUE_SAMPLES:
            break
    return found


def invalid_sample(field: FieldSpec) -> str | None:
    """Python source of a value the field refuses: one character too many, or a value of
    the wrong type."""
    max_length = constraints_of(field).get("max_length")
    if field.field_type in TEXT_TYPES and max_length and max_length < 10_000:
        candidate, source = "x" * (max_length + 1), f'"x" * {max_length + 1}'
    elif field.field_type in TEXT_TYPES or field.field_type == FieldType.JSON:
        return None
    else:
        candidate = "not-a-valid-value"
        source = py(candidate)
    return source if value_checker(field)(candidate) is not None else None
