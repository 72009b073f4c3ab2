"""The resolved view of a spec that templates read: every name, type and SQL fragment
decided once, here, so templates only place values (openapi-python-client's approach).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from generator.errors import Issue, PlanError
from generator.fieldtypes import (
    FORM_TYPES,
    INPUT_RULES,
    KINDS,
    FieldKind,
    FormType,
    InputRule,
    column_type,
    decimal_json_schema,
    py_type,
)
from generator.indexes import SCHEMA_REVISION, IndexModel, case_folded, sql_name, table_indexes
from generator.literals import py
from generator.samples import derive_sample, invalid_sample, jsonable, unique_variants
from generator.spec.models import (
    TEXT_TYPES,
    Action,
    FieldSpec,
    FieldType,
    IndexType,
    OnDelete,
    ProjectSpec,
    Role,
    TableSpec,
)
from generator.spec.values import constraints_of, format_of, json_number
from generator.sqltypes import SqlType

_FORMAT_VALIDATORS = {"email": "EMAIL", "url": "URL", "uuid": "UUID_TEXT"}


RelationKind = Literal["belongs_to", "has_many"]


def class_name(table_name: str) -> str:
    return "".join(part.capitalize() for part in table_name.split("_"))


@dataclass(frozen=True)
class FieldModel:
    name: str
    stable_id: str
    display_name: str
    field_type: FieldType
    description: str | None
    is_required: bool
    is_unique: bool
    is_readonly: bool
    is_visible_in_list: bool
    is_visible_in_form: bool
    default_value: Any  # JSON-compatible, validated by the app at start-up
    sql_type: SqlType
    py_type: str
    choices: tuple[str, ...] | None
    constraints: dict[str, Any]
    input_rule: InputRule | None  # the strict-typing rule of app/models/base.py, if any
    json_schema: dict[str, Any] | None  # the OpenAPI schema, where pydantic's is not it
    format: str | None
    kind: FieldKind
    searchable: bool
    sortable: bool
    filterable: bool
    form_type: FormType
    relation_table: str | None
    on_delete: OnDelete | None
    validation: dict[str, Any]
    form_config: dict[str, Any]
    list_config: dict[str, Any]
    sample: Any  # a valid value, for the generated tests; None if none was found
    unique_samples: tuple[Any, ...]  # distinct valid values, for a unique field
    invalid_sample: str | None  # Python source of a value validation refuses, if found
    py_default: str | None  # the default as a Python expression

    @property
    def format_validator(self) -> str | None:
        """The name of the text-format validator of app/models/base.py, if any."""
        return _FORMAT_VALIDATORS.get(self.format or "")

    @property
    def alias(self) -> str:
        """The name of this field's annotated type in the models module."""
        return class_name(self.name) + "Value"

    @property
    def has_default(self) -> bool:
        return self.default_value is not None


@dataclass(frozen=True)
class RelationModel:
    kind: RelationKind
    table: str
    foreign_key: str
    display_name: str
    on_delete: OnDelete


@dataclass(frozen=True)
class TableModel:
    name: str
    stable_id: str
    class_name: str
    display_name: str
    icon: str | None
    description: str | None
    fields: tuple[FieldModel, ...]
    indexes: tuple[IndexModel, ...]
    unique_constraints: tuple[tuple[str, str], ...]  # (constraint name, field)
    relations: tuple[RelationModel, ...]
    permissions: dict[Role, list[Action]]
    public: bool

    @property
    def py_types(self) -> frozenset[str]:
        return frozenset(field.py_type for field in self.fields)

    @property
    def formats(self) -> tuple[str, ...]:
        """The text-format validators the models use, sorted as isort sorts them."""
        return tuple(sorted({f.format_validator for f in self.fields if f.format_validator}))

    @property
    def required_fields(self) -> tuple[FieldModel, ...]:
        return tuple(field for field in self.writable_fields if field.is_required)

    @property
    def read_only_fields(self) -> tuple[FieldModel, ...]:
        return tuple(field for field in self.fields if field.is_readonly)

    @property
    def parents(self) -> tuple[str, ...]:
        """Other tables the test payload refers to (read-only relations are not sent)."""
        return tuple(sorted({f.relation_table for f in self.sample_fields if f.relation_table}))

    @property
    def sample_fields(self) -> tuple[FieldModel, ...]:
        """Fields the test payload fills: those with a sample, and relations to parents."""
        return tuple(
            field
            for field in self.writable_fields
            if (field.relation_table and field.relation_table != self.name)
            or (not field.relation_table and field.sample is not None)
        )

    @property
    def unique_field(self) -> FieldModel | None:
        return next((f for f in self.sample_fields if f.is_unique), None)

    @property
    def invalid_field(self) -> FieldModel | None:
        return next((f for f in self.sample_fields if f.invalid_sample is not None), None)

    @property
    def json_fields(self) -> tuple[str, ...]:
        return tuple(field.name for field in self.fields if field.field_type == FieldType.JSON)

    @property
    def writable_fields(self) -> tuple[FieldModel, ...]:
        return tuple(field for field in self.fields if not field.is_readonly)

    @property
    def checked_constraints(self) -> tuple[tuple[str, str], ...]:
        """(constraint name, field) of every constraint whose violation names a field."""
        foreign_keys = tuple(
            (sql_name(self.name, field.name, "fkey"), field.name)
            for field in self.fields
            if field.relation_table
        )
        checks = tuple(
            (sql_name(self.name, field.name, "check"), field.name)
            for field in self.fields
            if field.choices
        )
        return self.unique_constraints + foreign_keys + checks


@dataclass(frozen=True)
class ProjectModel:
    id: str
    name: str
    slug: str
    description: str | None
    version: str
    spec_version: int
    tables: tuple[TableModel, ...]

    def table(self, name: str) -> TableModel:
        return next(table for table in self.tables if table.name == name)


def build_project(spec: ProjectSpec, schema_revision: int = SCHEMA_REVISION) -> ProjectModel:
    """The app model of `spec`; its schema as generators of `schema_revision` made it."""
    issues: list[Issue] = []
    tables = tuple(
        _table_model(spec, name, table, issues, schema_revision)
        for name, table in spec.tables.items()
    )
    if issues:
        raise PlanError(issues)
    return ProjectModel(
        id=str(spec.project.id),
        name=spec.project.name,
        slug=spec.project.slug,
        description=spec.project.description,
        version=spec.project.version,
        spec_version=spec.spec_version,
        tables=tables,
    )


def _table_model(
    spec: ProjectSpec, name: str, table: TableSpec, issues: list[Issue], schema_revision: int
) -> TableModel:
    fields = tuple(
        _field_model(f"tables.{name}.fields.{field_name}", field_name, field, issues)
        for field_name, field in table.fields.items()
    )
    declared_unique = {
        index.fields[0]
        for index in table.indexes
        if index.type == IndexType.UNIQUE and len(index.fields) == 1
    }
    unique_constraints = tuple(
        (sql_name(name, field.name, "key"), field.name)
        for field in fields
        if field.is_unique and field.name not in declared_unique
    ) + tuple(
        (index.name, index.fields[0])
        for index in table.indexes
        if index.type == IndexType.UNIQUE and len(index.fields) == 1
    )
    return TableModel(
        name=name,
        stable_id=table.id or name,
        class_name=class_name(name),
        display_name=table.display_name,
        icon=table.icon,
        description=table.description,
        fields=fields,
        indexes=table_indexes(name, table, fields, case_folded(fields, schema_revision)),
        unique_constraints=unique_constraints,
        relations=_relations(spec, name, table),
        permissions=_permissions(table),
        public=table.permissions.public,
    )


def _field_model(where: str, name: str, field: FieldSpec, issues: list[Issue]) -> FieldModel:
    list_config = field.list_config
    explicit_list = list_config.model_fields_set
    sample = field.example if field.example is not None else derive_sample(field)
    if sample is None and field.is_required and field.field_type != FieldType.RELATION:
        issues.append(
            Issue(
                f"{where}.example",
                "give an example value: none of the generator's samples "
                "satisfies this field's validation, and the generated tests need one",
            )
        )
    return FieldModel(
        name=name,
        stable_id=field.id or name,
        display_name=field.display_name,
        field_type=field.field_type,
        description=field.description,
        is_required=field.is_required,
        is_unique=field.is_unique,
        is_readonly=field.is_readonly,
        is_visible_in_list=field.is_visible_in_list,
        is_visible_in_form=field.is_visible_in_form,
        default_value=field.model_dump(mode="json")["default_value"],
        sql_type=column_type(field),
        py_type=py_type(field),
        choices=tuple(field.choices) if field.choices else None,
        constraints=constraints_of(field),
        input_rule=INPUT_RULES.get(field.field_type),
        json_schema=(decimal_json_schema(field) if field.field_type == FieldType.DECIMAL else None),
        format=format_of(field),
        kind=KINDS[field.field_type],
        searchable=field.field_type in TEXT_TYPES,
        sortable=list_config.sortable and field.field_type != FieldType.JSON,
        filterable=list_config.filterable,
        form_type=FORM_TYPES[field.field_type],
        relation_table=field.relation.table if field.relation else None,
        on_delete=field.relation.on_delete if field.relation else None,
        validation=_validation(field),
        form_config=field.form_config.model_dump(mode="json", exclude_none=True),
        list_config={
            **({"width": list_config.width} if list_config.width is not None else {}),
            "sortable": list_config.sortable,
            "filterable": list_config.filterable,
            "indexed": bool({"sortable", "filterable"} & explicit_list)
            and (list_config.sortable or list_config.filterable),
        },
        sample=jsonable(sample),
        unique_samples=(
            tuple(jsonable(value) for value in unique_variants(field, sample))
            if field.is_unique
            else ()
        ),
        invalid_sample=invalid_sample(field),
        py_default=_py_default(field),
    )


def _validation(field: FieldSpec) -> dict[str, Any]:
    """The validation rules as the schema endpoints report them: bounds are numbers."""
    rules = field.validation.model_dump(mode="json", exclude_none=True)
    for key in ("min_value", "max_value"):
        bound = getattr(field.validation, key)
        if bound is not None:
            rules[key] = json_number(bound)
    return rules


def _py_default(field: FieldSpec) -> str | None:
    """The default as Python source, typed as the field (a date is a date, not a string)."""
    value = field.default_value
    if value is None:
        return None
    constructors = {
        FieldType.DECIMAL: "Decimal",
        FieldType.DATE: "date.fromisoformat",
        FieldType.DATETIME: "datetime.fromisoformat",
        FieldType.UUID: "UUID",
    }
    constructor = constructors.get(field.field_type)
    if constructor:
        return f"{constructor}({py(str(jsonable(value)))})"
    return py(value)


def _relations(spec: ProjectSpec, name: str, table: TableSpec) -> tuple[RelationModel, ...]:
    belongs_to = [
        RelationModel(
            "belongs_to",
            field.relation.table,
            field_name,
            spec.tables[field.relation.table].display_name,
            field.relation.on_delete,
        )
        for field_name, field in table.fields.items()
        if field.relation is not None
    ]
    has_many = [
        RelationModel(
            "has_many", other_name, field_name, other.display_name, field.relation.on_delete
        )
        for other_name, other in spec.tables.items()
        for field_name, field in other.fields.items()
        if field.relation is not None and field.relation.table == name
    ]
    return tuple(belongs_to + has_many)


def _permissions(table: TableSpec) -> dict[Role, list[Action]]:
    """Resolved rights per role: the seed 001 defaults, narrowed by the spec."""
    every = list(Action)
    granted = table.permissions
    defaults = {
        Role.CLIENT: [Action.READ] if granted.public else [],
        Role.MEMBER: every,
        Role.ADMIN: every,
        Role.OWNER: every,
    }
    narrowed = {Role.CLIENT: granted.CLIENT, Role.MEMBER: granted.MEMBER, Role.ADMIN: granted.ADMIN}
    resolved: dict[Role, list[Action]] = {}
    for role, default in defaults.items():
        chosen = narrowed.get(role)
        actions = default if chosen is None else chosen
        resolved[role] = [action for action in every if action in actions]
    return resolved
