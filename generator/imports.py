"""Import blocks of generated modules, laid out the way isort (ruff's `I` rules) wants:
standard library, third party, first party, each sorted, names ordered by type."""

from __future__ import annotations

from generator.appmodel import TableModel

Section = dict[str, set[str]]


def _name_key(name: str) -> tuple[int, str]:
    if name.isupper():
        return (0, name)
    if name[:1].isupper():
        return (1, name)
    return (2, name)


def import_block(*sections: Section) -> str:
    blocks = []
    for section in sections:
        lines = [
            f"from {module} import {', '.join(sorted(names, key=_name_key))}"
            for module, names in sorted(section.items(), key=lambda item: item[0].lower())
            if names
        ]
        if lines:
            blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def models_imports(table: TableModel) -> str:
    types = table.py_types
    stdlib: Section = {
        "datetime": {"datetime"} | ({"date"} if "date" in types else set()),
        "decimal": {"Decimal"} if "Decimal" in types else set(),
        "typing": {"Annotated", "Any"}
        | ({"ClassVar"} if table.read_only_fields or table.required_fields else set())
        | ({"Literal"} if any(field.choices for field in table.fields) else set()),
        "uuid": {"UUID"} if "UUID" in types else set(),
    }
    third_party: Section = {
        "pydantic": {"BaseModel", "Field"}
        | ({"JsonValue"} if "JsonValue" in types else set())
        | ({"WithJsonSchema"} if any(field.json_schema for field in table.fields) else set())
    }
    rules = {field.input_rule for field in table.fields if field.input_rule}
    first_party: Section = {
        "app.models.base": {*table.formats, *rules, "RecordInput", "RecordUpdate", "TableInfo"}
    }
    return import_block(stdlib, third_party, first_party)


def factory_imports(table: TableModel) -> str:
    """tests/utils/<table>.py: sample payloads, creating parent records first."""
    unique = any(field.unique_samples for field in table.sample_fields)
    first_party: Section = {
        "app.core.metadata": {"API_BASE"},
        "tests.utils.auth": {"auth"},
        **{f"tests.utils.{parent}": {f"any_{parent}"} for parent in table.parents},
    }
    return import_block(
        {"itertools": {"count"} if unique else set(), "typing": {"Any"}},
        {"fastapi.testclient": {"TestClient"}},
        first_party,
    )


def table_test_imports(table: TableModel) -> str:
    """tests/api/routes/test_<table>.py."""
    return "import pytest\n" + import_block(
        {"fastapi.testclient": {"TestClient"}},
        {
            "app.core.metadata": {"API_BASE"},
            "tests.utils.auth": {"auth"},
            f"tests.utils.{table.name}": {"URL", f"create_{table.name}", "payload"},
        },
    )
