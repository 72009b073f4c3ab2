"""The app's metadata file: what the schema endpoints of seed 000 report, as data.

What the schema endpoints report (display strings, help texts, form and list settings)
lands in `app/metadata.json` as data, read by the app at start-up. The only spec strings
in generated code are model titles, patterns, choices and defaults, each written as a
literal by the `py` filter.
"""

from __future__ import annotations

from typing import Any

from generator.appmodel import FieldModel, ProjectModel, TableModel

_ID_FIELD: dict[str, Any] = {
    "name": "id",
    "display_name": "ID",
    "field_type": "INTEGER",
    "is_primary_key": True,
    "is_required": False,
    "is_unique": True,
    "is_readonly": True,
    "is_visible_in_list": False,
    "is_visible_in_form": False,
    "validation": {},
    "default_value": None,
    "list_config": {"width": 80, "sortable": True, "filterable": True},
    "form_field": {"type": "number"},
}


def _timestamp_field(name: str, display_name: str) -> dict[str, Any]:
    return {
        **_ID_FIELD,
        "name": name,
        "display_name": display_name,
        "field_type": "DATETIME",
        "is_primary_key": False,
        "is_unique": False,
        "list_config": {"width": 180, "sortable": True, "filterable": True},
        "form_field": {"type": "datetime-local"},
    }


def _field(field: FieldModel) -> dict[str, Any]:
    described: dict[str, Any] = {
        "name": field.name,
        "display_name": field.display_name,
        "field_type": field.field_type,
        "is_primary_key": False,
        "is_required": field.is_required,
        "is_unique": field.is_unique,
        "is_readonly": field.is_readonly,
        "is_visible_in_list": field.is_visible_in_list,
        "is_visible_in_form": field.is_visible_in_form,
        "validation": field.validation,
        "default_value": field.default_value,
        "list_config": {k: v for k, v in field.list_config.items() if k != "indexed"},
        "form_field": {"type": field.form_type, **field.form_config},
    }
    if field.description:
        described["description"] = field.description
    if field.choices:
        described["choices"] = list(field.choices)
    if field.relation_table:
        described["relation"] = {"table": field.relation_table, "on_delete": field.on_delete}
    return described


def _table(table: TableModel) -> dict[str, Any]:
    return {
        "table_name": table.name,
        "display_name": table.display_name,
        "icon": table.icon,
        "description": table.description,
        "fields": [
            _ID_FIELD,
            *(_field(field) for field in table.fields),
            _timestamp_field("created_at", "Created at"),
            _timestamp_field("updated_at", "Updated at"),
        ],
        "indexes": [
            {
                "name": index.name,
                "fields": list(index.columns),
                "type": "unique" if index.unique else "normal",
            }
            for index in table.indexes
            if index.declared
        ],
        "relationships": [
            {
                "type": relation.kind,
                "target_table": relation.table,
                "foreign_key": relation.foreign_key,
                "target_display_name": relation.display_name,
                "on_delete": relation.on_delete,
            }
            for relation in table.relations
        ],
        "permissions": table.permissions,
        "constraints": dict(table.checked_constraints),
    }


def build_metadata(project: ProjectModel, generated_by: dict[str, str]) -> dict[str, Any]:
    return {
        "generated_by": generated_by,
        "project": {
            "id": project.id,
            "name": project.name,
            "slug": project.slug,
            "description": project.description,
            "version": project.version,
        },
        "tables": {table.name: _table(table) for table in project.tables},
    }
