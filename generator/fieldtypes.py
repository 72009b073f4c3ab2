"""How each field type is stored in PostgreSQL, typed in Python, filtered by lists and
shown in a form."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from generator.literals import py
from generator.spec.models import FieldSpec, FieldType
from generator.spec.values import DEFAULT_LENGTHS, json_number
from generator.sqltypes import SqlType, numeric, varchar

# What the generated app's list filters and tests treat a field as.
FieldKind = Literal["text", "integer", "decimal", "boolean", "date", "datetime", "uuid", "json"]
# The typing rules app/models/base.py defines.
InputRule = Literal["STRICT", "NUMBER", "ISO_TEXT"]
# The input a form shows for a field.
FormType = Literal[
    "text",
    "textarea",
    "email",
    "tel",
    "url",
    "number",
    "checkbox",
    "date",
    "datetime-local",
    "json",
    "select",
    "relation",
]

# How each field type is stored, typed in Python, filtered, and shown in a form.
SQL_TYPES = {
    FieldType.TEXT_LONG: SqlType("text"),
    FieldType.INTEGER: SqlType("bigint"),
    FieldType.BOOLEAN: SqlType("boolean"),
    FieldType.DATE: SqlType("date"),
    FieldType.DATETIME: SqlType("timestamptz"),
    FieldType.UUID: SqlType("uuid"),
    FieldType.JSON: SqlType("jsonb"),
    FieldType.ENUM: SqlType("text"),
    FieldType.RELATION: SqlType("bigint"),
}
PY_TYPES = {
    FieldType.TEXT_SHORT: "str",
    FieldType.TEXT_LONG: "str",
    FieldType.EMAIL: "str",
    FieldType.PHONE: "str",
    FieldType.URL: "str",
    FieldType.INTEGER: "int",
    FieldType.DECIMAL: "Decimal",
    FieldType.BOOLEAN: "bool",
    FieldType.DATE: "date",
    FieldType.DATETIME: "datetime",
    FieldType.UUID: "UUID",
    FieldType.JSON: "JsonValue",
    FieldType.RELATION: "int",
}
KINDS: dict[FieldType, FieldKind] = {
    FieldType.TEXT_SHORT: "text",
    FieldType.TEXT_LONG: "text",
    FieldType.EMAIL: "text",
    FieldType.PHONE: "text",
    FieldType.URL: "text",
    FieldType.INTEGER: "integer",
    FieldType.DECIMAL: "decimal",
    FieldType.BOOLEAN: "boolean",
    FieldType.DATE: "date",
    FieldType.DATETIME: "datetime",
    FieldType.UUID: "uuid",
    FieldType.JSON: "json",
    FieldType.ENUM: "text",
    FieldType.RELATION: "integer",
}
# How a body's value must be typed, as app/models/base.py names the rule: no coercion
# from one JSON type to another ("3" is not a number, true is not an integer).
INPUT_RULES: dict[FieldType, InputRule] = {
    FieldType.TEXT_SHORT: "STRICT",
    FieldType.TEXT_LONG: "STRICT",
    FieldType.EMAIL: "STRICT",
    FieldType.PHONE: "STRICT",
    FieldType.URL: "STRICT",
    FieldType.INTEGER: "NUMBER",
    FieldType.DECIMAL: "NUMBER",
    FieldType.BOOLEAN: "STRICT",
    FieldType.DATE: "ISO_TEXT",
    FieldType.DATETIME: "ISO_TEXT",
    FieldType.UUID: "ISO_TEXT",
    FieldType.RELATION: "NUMBER",
}
FORM_TYPES: dict[FieldType, FormType] = {
    FieldType.TEXT_SHORT: "text",
    FieldType.TEXT_LONG: "textarea",
    FieldType.EMAIL: "email",
    FieldType.PHONE: "tel",
    FieldType.URL: "url",
    FieldType.INTEGER: "number",
    FieldType.DECIMAL: "number",
    FieldType.BOOLEAN: "checkbox",
    FieldType.DATE: "date",
    FieldType.DATETIME: "datetime-local",
    FieldType.UUID: "text",
    FieldType.JSON: "json",
    FieldType.ENUM: "select",
    FieldType.RELATION: "relation",
}


def column_type(field: FieldSpec) -> SqlType:
    """The PostgreSQL type of a field's column."""
    rules = field.validation
    if field.field_type in DEFAULT_LENGTHS:
        return varchar(rules.max_length or DEFAULT_LENGTHS[field.field_type])
    if field.field_type == FieldType.DECIMAL:
        return numeric(rules.max_digits, rules.decimal_places)
    return SQL_TYPES[field.field_type]


def py_type(field: FieldSpec) -> str:
    if field.field_type == FieldType.ENUM:
        return f"Literal[{', '.join(py(choice) for choice in field.choices or ())}]"
    return PY_TYPES[field.field_type]


def decimal_json_schema(field: FieldSpec) -> dict[str, Any]:
    """The OpenAPI schema of a DECIMAL: a JSON number (as PostgreSQL sends numeric),
    bounded by the column's digits and stepped by its decimal places."""
    rules = field.validation
    schema: dict[str, Any] = {"type": "number"}
    if rules.max_digits is not None:
        bound = 10 ** (rules.max_digits - (rules.decimal_places or 0))
        schema["exclusiveMinimum"] = -bound
        schema["exclusiveMaximum"] = bound
    if rules.min_value is not None:
        schema["minimum"] = json_number(rules.min_value)
    if rules.max_value is not None:
        schema["maximum"] = json_number(rules.max_value)
    if rules.decimal_places is not None:
        schema["multipleOf"] = json_number(Decimal(1).scaleb(-rules.decimal_places))
    return schema
