"""How each field type is stored in PostgreSQL, typed in Python, filtered by lists and
shown in a form."""

from __future__ import annotations

from generator.literals import py
from generator.spec.models import FieldSpec, FieldType
from generator.spec.values import DEFAULT_LENGTHS
from generator.sqltypes import SqlType, numeric, varchar

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
KINDS = {
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
FORM_TYPES = {
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
