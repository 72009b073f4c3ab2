"""`/organizations/`: the caller's organisations; whoever creates one is its OWNER, on
the free plan. Another organisation's objects answer 404, exactly as missing ones."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request, status

from control_plane.db import Conn, Connection
from control_plane.foundation.audit import record
from control_plane.foundation.deps import CurrentUser
from control_plane.foundation.permissions import Permission, Role, authorize
from control_plane.foundation.schemas import (
    OrganizationCreate,
    OrganizationPublic,
    OrganizationUpdate,
)
from control_plane.pagination import Listing, Page, Pagination, fetch_page

router = APIRouter(prefix="/organizations", tags=["organizations"])

_COLUMNS = """o.id, o.name, o.description, m.role, o.created_at, o.updated_at,
(SELECT count(*) FROM memberships AS c WHERE c.organization_id = o.id) AS members_count"""

_MINE = Listing(
    columns=_COLUMNS,
    source="FROM organizations AS o JOIN memberships AS m ON m.organization_id = o.id "
    "WHERE m.user_id = %(user)s",
    order="o.created_at, o.id",
)


async def organization_of(
    connection: Conn, organization_id: uuid.UUID, user_id: uuid.UUID
) -> OrganizationPublic:
    cursor = await connection.execute(
        f"""
        SELECT {_COLUMNS} FROM organizations AS o
        JOIN memberships AS m ON m.organization_id = o.id AND m.user_id = %s
        WHERE o.id = %s
        """,
        (user_id, organization_id),
    )
    row = await cursor.fetchone()
    assert row is not None  # authorize() found the membership
    return OrganizationPublic(**row)


@router.get("/")
async def list_organizations(
    user: CurrentUser, request: Request, connection: Connection, pagination: Pagination
) -> Page[OrganizationPublic]:
    page = await fetch_page(connection, request, pagination, _MINE, {"user": user.id})
    return Page[OrganizationPublic](**page)


@router.post("/", status_code=status.HTTP_201_CREATED)
async def create_organization(
    body: OrganizationCreate, user: CurrentUser, request: Request, connection: Connection
) -> OrganizationPublic:
    async with connection.transaction():
        cursor = await connection.execute(
            "INSERT INTO organizations (name, description) VALUES (%s, %s) RETURNING id",
            (body.name, body.description),
        )
        created = await cursor.fetchone()
        assert created is not None
        organization_id = created["id"]
        await connection.execute(
            "INSERT INTO memberships (organization_id, user_id, role) VALUES (%s, %s, %s)",
            (organization_id, user.id, Role.OWNER),
        )
        await connection.execute(
            "INSERT INTO subscriptions (organization_id, plan_code, status) "
            "VALUES (%s, 'free', 'active')",
            (organization_id,),
        )
        await record(
            connection,
            request,
            actor_id=user.id,
            organization_id=organization_id,
            action="organization.create",
            object_type="organization",
            object_id=organization_id,
            details={"name": body.name},
        )
        return await organization_of(connection, organization_id, user.id)


@router.get("/{organization_id}/")
async def get_organization(
    organization_id: uuid.UUID, user: CurrentUser, connection: Connection
) -> OrganizationPublic:
    await authorize(connection, user.id, organization_id, Permission.ORGANIZATION_READ)
    return await organization_of(connection, organization_id, user.id)


async def _update(
    connection: Conn,
    request: Request,
    user_id: uuid.UUID,
    organization_id: uuid.UUID,
    changes: dict[str, Any],
) -> OrganizationPublic:
    async with connection.transaction():
        await authorize(connection, user_id, organization_id, Permission.ORGANIZATION_UPDATE)
        await connection.execute(
            """
            UPDATE organizations SET name = coalesce(%(name)s, name),
                description = coalesce(%(description)s, description), updated_at = now()
            WHERE id = %(id)s
            """,
            {
                "name": changes.get("name"),
                "description": changes.get("description"),
                "id": organization_id,
            },
        )
        await record(
            connection,
            request,
            actor_id=user_id,
            organization_id=organization_id,
            action="organization.update",
            object_type="organization",
            object_id=organization_id,
            details={"fields": sorted(changes)},
        )
        return await organization_of(connection, organization_id, user_id)


@router.put("/{organization_id}/")
async def replace_organization(
    organization_id: uuid.UUID,
    body: OrganizationCreate,
    user: CurrentUser,
    request: Request,
    connection: Connection,
) -> OrganizationPublic:
    return await _update(connection, request, user.id, organization_id, body.model_dump())


@router.patch("/{organization_id}/")
async def update_organization(
    organization_id: uuid.UUID,
    body: OrganizationUpdate,
    user: CurrentUser,
    request: Request,
    connection: Connection,
) -> OrganizationPublic:
    changes = body.model_dump(exclude_unset=True)
    return await _update(connection, request, user.id, organization_id, changes)


@router.delete("/{organization_id}/", status_code=status.HTTP_204_NO_CONTENT)
async def delete_organization(
    organization_id: uuid.UUID, user: CurrentUser, request: Request, connection: Connection
) -> None:
    """Delete the organisation with its memberships, invitations and subscription (OWNER)."""
    async with connection.transaction():
        await authorize(connection, user.id, organization_id, Permission.ORGANIZATION_DELETE)
        await connection.execute("DELETE FROM organizations WHERE id = %s", (organization_id,))
        await record(
            connection,
            request,
            actor_id=user.id,
            organization_id=organization_id,
            action="organization.delete",
            object_type="organization",
            object_id=organization_id,
        )
