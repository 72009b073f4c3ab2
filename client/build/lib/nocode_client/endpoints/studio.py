"""Studio (`/api/v1/studio/`): projects, their tables and fields, publishing, versions."""

from __future__ import annotations

from nocode_client._call import (
    Body,
    Call,
    Id,
    delete,
    get,
    many,
    model,
    page_of,
    patch,
    post,
    put,
)
from nocode_client.models import Field, Page, Project, Table, Version, VersionSummary

BASE = "/api/v1/studio"


def list_projects(
    *,
    organization: Id | None = None,
    status: str | None = None,
    page: int | None = None,
    page_size: int | None = None,
) -> Call[Page[Project]]:
    """The projects of the caller's organisations, newest first."""
    return get(
        f"{BASE}/projects/",
        read=page_of(Project),
        organization=organization,
        status=status,
        page=page,
        page_size=page_size,
    )


def create_project(body: Body) -> Call[Project]:
    """`{"name", "organization_id", "description"?}`: a draft with no table yet."""
    return post(f"{BASE}/projects/", read=model(Project), body=body)


def get_project(project_id: Id) -> Call[Project]:
    return get(f"{BASE}/projects/{{}}/", project_id, read=model(Project))


def update_project(project_id: Id, body: Body) -> Call[Project]:
    """`name`, `description`: the keys given change."""
    return patch(f"{BASE}/projects/{{}}/", project_id, read=model(Project), body=body)


def delete_project(project_id: Id) -> Call[None]:
    return delete(f"{BASE}/projects/{{}}/", project_id)


def add_table(project_id: Id, body: Body) -> Call[Table]:
    """`{"name", "display_name"?, "fields": [...], ...}`: the spec's table keys."""
    return post(f"{BASE}/projects/{{}}/add_table/", project_id, read=model(Table), body=body)


def list_tables(
    *, project: Id | None = None, page: int | None = None, page_size: int | None = None
) -> Call[Page[Table]]:
    return get(
        f"{BASE}/schemas/", read=page_of(Table), project=project, page=page, page_size=page_size
    )


def get_table(table_id: Id) -> Call[Table]:
    return get(f"{BASE}/schemas/{{}}/", table_id, read=model(Table))


def update_table(table_id: Id, body: Body) -> Call[Table]:
    """The keys given change; a new `name` renames the table (its id stays)."""
    return patch(f"{BASE}/schemas/{{}}/", table_id, read=model(Table), body=body)


def replace_table(table_id: Id, body: Body) -> Call[Table]:
    return put(f"{BASE}/schemas/{{}}/", table_id, read=model(Table), body=body)


def delete_table(table_id: Id) -> Call[None]:
    return delete(f"{BASE}/schemas/{{}}/", table_id)


def list_fields(table_id: Id) -> Call[list[Field]]:
    """The table's fields, in order."""
    return get(f"{BASE}/schemas/{{}}/fields/", table_id, read=many(Field))


def add_field(table_id: Id, body: Body) -> Call[Field]:
    """`{"name", "field_type", ...}`: the spec's field keys."""
    return post(f"{BASE}/schemas/{{}}/fields/", table_id, read=model(Field), body=body)


def get_field(table_id: Id, field_id: Id) -> Call[Field]:
    return get(f"{BASE}/schemas/{{}}/fields/{{}}/", table_id, field_id, read=model(Field))


def update_field(table_id: Id, field_id: Id, body: Body) -> Call[Field]:
    """The keys given change; a new `name` renames the field (its id stays)."""
    return patch(
        f"{BASE}/schemas/{{}}/fields/{{}}/", table_id, field_id, read=model(Field), body=body
    )


def delete_field(table_id: Id, field_id: Id) -> Call[None]:
    return delete(f"{BASE}/schemas/{{}}/fields/{{}}/", table_id, field_id)


def publish(project_id: Id) -> Call[Version]:
    """Freeze the draft into the next version (its number from what changed)."""
    return post(f"{BASE}/projects/{{}}/publish/", project_id, read=model(Version))


def list_versions(
    project_id: Id, *, page: int | None = None, page_size: int | None = None
) -> Call[Page[VersionSummary]]:
    """Published versions, newest first, with their changes."""
    return get(
        f"{BASE}/projects/{{}}/versions/",
        project_id,
        read=page_of(VersionSummary),
        page=page,
        page_size=page_size,
    )


def get_version(project_id: Id, number: str) -> Call[Version]:
    return get(f"{BASE}/projects/{{}}/versions/{{}}/", project_id, number, read=model(Version))
