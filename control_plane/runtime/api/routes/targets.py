"""`/targets/`: the SSH hosts an organisation deploys to (ADMIN, OWNER). Their private key
is write-only: answers say `private_key_configured`."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, status

from control_plane.config import vault_of
from control_plane.foundation.api.deps import AppSettings, Caller, Connection, Origin, Pagination
from control_plane.foundation.permissions import Permission, authorize
from control_plane.pagination import Page, fetch_page
from control_plane.runtime.models.deployments import TargetCreate, TargetPublic, TargetUpdate
from control_plane.runtime.queries import targets as queries
from control_plane.runtime.services import targets

router = APIRouter(prefix="/targets", tags=["targets"])


@router.get("/")
async def list_targets(
    organization_id: uuid.UUID,
    caller: Caller,
    request: Request,
    connection: Connection,
    pagination: Pagination,
) -> Page[TargetPublic]:
    await authorize(connection, caller.id, organization_id, Permission.TARGETS_MANAGE)
    values = {"organization": organization_id}
    return await fetch_page(connection, request, pagination, queries.OF_ORGANIZATION, values)


@router.post("/", status_code=status.HTTP_201_CREATED)
async def create_target(
    body: TargetCreate,
    caller: Caller,
    origin: Origin,
    connection: Connection,
    settings: AppSettings,
) -> TargetPublic:
    vault = vault_of(settings)
    return await targets.create(connection, origin, caller.id, body, vault)


@router.get("/{target_id}/")
async def get_target(target_id: uuid.UUID, caller: Caller, connection: Connection) -> TargetPublic:
    return await targets.get(connection, caller.id, target_id)


@router.patch("/{target_id}/")
async def update_target(
    target_id: uuid.UUID,
    body: TargetUpdate,
    caller: Caller,
    origin: Origin,
    connection: Connection,
    settings: AppSettings,
) -> TargetPublic:
    vault = vault_of(settings)
    changes = body.model_dump(exclude_unset=True)
    return await targets.update(connection, origin, caller.id, target_id, changes, vault)


@router.delete("/{target_id}/", status_code=status.HTTP_204_NO_CONTENT)
async def delete_target(
    target_id: uuid.UUID, caller: Caller, origin: Origin, connection: Connection
) -> None:
    await targets.delete(connection, origin, caller.id, target_id)
