"""The project spec: what a project is, the single source of truth for every generated file.

A spec is plain data (YAML or JSON on disk). Tables and fields are mappings keyed by their
API name, so an error's location reads like the spec itself:
`tables.clients.fields.email.validation.pattern`. Every table, field and index also has a
stable `id` (defaulting to its name), recorded with each generation so that a later
one can tell a rename from a drop and an add: keep the id when renaming.

The models check types and shapes; `checks.py` checks what spans several values.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from generator.spec.identifiers import identifier_problem

SPEC_VERSION = 1
MAX_TABLES = 100
MAX_FIELDS = 50


def _check_identifier(name: str) -> str:
    problem = identifier_problem(name)
    if problem:
        raise ValueError(problem)
    return name


def _check_index_name(name: str) -> str:
    problem = identifier_problem(name, max_length=63)
    if problem:
        raise ValueError(problem)
    return name


Identifier = Annotated[str, AfterValidator(_check_identifier)]
IndexName = Annotated[str, AfterValidator(_check_index_name)]
StableId = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
# One line of text: no control characters, so a display string cannot break a line.
DisplayText = Annotated[str, Field(max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$")]
LongText = Annotated[str, Field(max_length=2000)]


class StrictModel(BaseModel):
    """Unknown keys are errors: a typo in a spec must not be silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class FieldType(StrEnum):
    TEXT_SHORT = "TEXT_SHORT"
    TEXT_LONG = "TEXT_LONG"
    EMAIL = "EMAIL"
    PHONE = "PHONE"
    URL = "URL"
    INTEGER = "INTEGER"
    DECIMAL = "DECIMAL"
    BOOLEAN = "BOOLEAN"
    DATE = "DATE"
    DATETIME = "DATETIME"
    UUID = "UUID"
    JSON = "JSON"
    ENUM = "ENUM"
    RELATION = "RELATION"


TEXT_TYPES = frozenset(
    {FieldType.TEXT_SHORT, FieldType.TEXT_LONG, FieldType.EMAIL, FieldType.PHONE, FieldType.URL}
)
NUMERIC_TYPES = frozenset({FieldType.INTEGER, FieldType.DECIMAL})


class Validation(StrictModel):
    """Validation keys exactly as seed 000 names them; lengths count characters."""

    min_length: Annotated[int, Field(ge=0)] | None = None
    max_length: Annotated[int, Field(ge=1, le=1_000_000)] | None = None
    pattern: Annotated[str, Field(max_length=1000)] | None = None
    format: Literal["email", "url", "uuid"] | None = None
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    max_digits: Annotated[int, Field(ge=1, le=1000)] | None = None
    decimal_places: Annotated[int, Field(ge=0, le=1000)] | None = None


class FormConfig(StrictModel):
    placeholder: DisplayText | None = None
    help_text: LongText | None = None
    autocomplete: Annotated[str, Field(pattern=r"^[a-z][a-z0-9 -]{0,63}$")] | None = None
    rows: Annotated[int, Field(ge=1, le=100)] | None = None


class ListConfig(StrictModel):
    width: Annotated[int, Field(ge=20, le=2000)] | None = None
    sortable: bool = True
    filterable: bool = True


class OnDelete(StrEnum):
    CASCADE = "CASCADE"
    SET_NULL = "SET_NULL"
    RESTRICT = "RESTRICT"


class Relation(StrictModel):
    """A many-to-one foreign key to `table`; the target reports it as `has_many`."""

    table: Identifier
    on_delete: OnDelete = OnDelete.RESTRICT


class FieldSpec(StrictModel):
    id: StableId | None = None
    display_name: DisplayText
    field_type: FieldType
    description: LongText | None = None
    is_required: bool = False
    is_unique: bool = False
    is_readonly: bool = False
    is_visible_in_list: bool = True
    is_visible_in_form: bool = True
    default_value: Any = None
    validation: Validation = Validation()
    form_config: FormConfig = FormConfig()
    list_config: ListConfig = ListConfig()
    choices: (
        Annotated[
            list[Annotated[str, Field(min_length=1, max_length=200)]],
            Field(min_length=1, max_length=200),
        ]
        | None
    ) = None
    relation: Relation | None = None
    example: Any = None


class IndexType(StrEnum):
    NORMAL = "normal"
    UNIQUE = "unique"


class IndexSpec(StrictModel):
    id: StableId | None = None
    name: IndexName
    fields: Annotated[list[Identifier], Field(min_length=1, max_length=16)]
    type: IndexType = IndexType.NORMAL


class Action(StrEnum):
    CREATE = "create"
    READ = "read"
    UPDATE = "update"
    DELETE = "delete"


class Role(StrEnum):
    CLIENT = "CLIENT"
    MEMBER = "MEMBER"
    ADMIN = "ADMIN"
    OWNER = "OWNER"


class TablePermissions(StrictModel):
    """Seed 001 defaults: CLIENT reads public tables only, MEMBER and up have full CRUD.

    A spec may narrow MEMBER and ADMIN (and CLIENT on a public table) by listing the
    actions they keep; OWNER always keeps every right.
    """

    public: bool = False
    CLIENT: list[Action] | None = None
    MEMBER: list[Action] | None = None
    ADMIN: list[Action] | None = None


class TableSpec(StrictModel):
    id: StableId | None = None
    display_name: DisplayText
    icon: Annotated[str, Field(max_length=16)] | None = None
    description: LongText | None = None
    fields: Annotated[dict[Identifier, FieldSpec], Field(min_length=1)]
    indexes: list[IndexSpec] = []
    permissions: TablePermissions = TablePermissions()


class ProjectInfo(StrictModel):
    id: UUID
    name: DisplayText
    slug: Identifier
    description: LongText | None = None
    version: Annotated[str, Field(pattern=r"^[0-9]+\.[0-9]+\.[0-9]+$")] = "1.0.0"


class ProjectSpec(StrictModel):
    spec_version: Literal[1]
    project: ProjectInfo
    tables: Annotated[dict[Identifier, TableSpec], Field(min_length=1)]
