"""The project spec: models, loading and checks."""

from generator.spec.load import load_spec, parse_spec
from generator.spec.models import (
    MAX_FIELDS,
    MAX_TABLES,
    SPEC_VERSION,
    Action,
    FieldSpec,
    FieldType,
    IndexSpec,
    ProjectSpec,
    Role,
    TableSpec,
)

__all__ = [
    "MAX_FIELDS",
    "MAX_TABLES",
    "SPEC_VERSION",
    "Action",
    "FieldSpec",
    "FieldType",
    "IndexSpec",
    "ProjectSpec",
    "Role",
    "TableSpec",
    "load_spec",
    "parse_spec",
]
