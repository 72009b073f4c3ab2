"""`/organizations/`: the caller's organisations; whoever creates one is its OWNER, on
the free plan. Another organisation's objects answer 404, exactly as missing ones."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, status

from control_plane.foundation.api.deps import Caller, Connection, Origin, Pagination
from control_plane.foundation.models import (
    OrganizationCreate,
    OrganizationPublic,
    OrganizationUpdate,
)
from control_plane.foundation.permissions import Permission, authorize
from control_plane.foundation.queries import organizations as queries
from control_plane.foundation.services import organizations
from control_plane.pagination import Page, fetch_page

router = APIRouter(prefix="/organizations", tags=["organizations"])


@router.get("/")
async def list_organizations(
    caller: Caller, request: Request, connection: Connection, pagination: Pagination
) -> Page[OrganizationPublic]:
    values = {"user": caller.id}
    return await fetch_page(connection, request, pagination, queries.OF_MEMBER, values)


@router.post("/", status_code=status.HTTP_201_CREATED)
async def create_organization(
    body: OrganizationCreate, caller: Caller, origin: Origin, connection: Connection
) -> OrganizationPublic:
    return await organizations.create(connection, origin, caller.id, body.name, body.description)


@router.get("/{organization_id}/")
async def get_organization(
    organization_id: uuid.UUID, caller: Caller, connection: Connection
) -> OrganizationPublic:
    await authorize(connection, caller.id, organization_id, Permission.ORGANIZATION_READ)
    return await queries.one_of_member(connection, organization_id, caller.id)


@router.put("/{organization_id}/")
async def replace_organization(
    organization_id: uuid.UUID,
    body: OrganizationCreate,
    caller: Caller,
    origin: Origin,
    connection: Connection,
) -> OrganizationPublic:
    changes = body.model_dump()
    return await organizations.update(connection, origin, caller.id, organization_id, changes)


@router.patch("/{organization_id}/")
async def update_organization(
    organization_id: uuid.UUID,
    body: OrganizationUpdate,
    caller: Caller,
    origin: Origin,
    connection: Connection,
) -> OrganizationPublic:
    changes = body.model_dump(exclude_unset=True)
    return await organizations.update(connection, origin, caller.id, organization_id, changes)


@router.delete("/{organization_id}/", status_code=status.HTTP_204_NO_CONTENT)
async def delete_organization(
    organization_id: uuid.UUID, caller: Caller, origin: Origin, connection: Connection
) -> None:
    """Delete the organisation with its memberships, invitations and subscription (OWNER)."""
    await organizations.delete(connection, origin, caller.id, organization_id)
