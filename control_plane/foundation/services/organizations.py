"""Organisations: whoever creates one is its OWNER, on the free plan; ADMIN updates it,
OWNER deletes it (with its memberships, invitations and subscription)."""

from __future__ import annotations

import uuid

from control_plane.db import Conn
from control_plane.foundation.models import OrganizationPublic, Role, SubscriptionStatus
from control_plane.foundation.permissions import Permission, authorize
from control_plane.foundation.queries import memberships, organizations, subscriptions
from control_plane.foundation.services.audit import RequestOrigin, record

FREE_PLAN = "free"


async def create(
    connection: Conn, origin: RequestOrigin, user_id: uuid.UUID, name: str, description: str
) -> OrganizationPublic:
    async with connection.transaction():
        organization_id = await organizations.insert(connection, name, description)
        await memberships.insert(connection, organization_id, user_id, Role.OWNER)
        await subscriptions.insert(
            connection, organization_id, FREE_PLAN, SubscriptionStatus.ACTIVE
        )
        await record(
            connection,
            origin,
            actor_id=user_id,
            organization_id=organization_id,
            action="organization.create",
            object_type="organization",
            object_id=organization_id,
            details={"name": name},
        )
        return await organizations.one_of_member(connection, organization_id, user_id)


async def update(
    connection: Conn,
    origin: RequestOrigin,
    user_id: uuid.UUID,
    organization_id: uuid.UUID,
    changes: dict[str, str],
) -> OrganizationPublic:
    """Set the fields of `changes` (name, description); the others keep their value."""
    async with connection.transaction():
        await authorize(connection, user_id, organization_id, Permission.ORGANIZATION_UPDATE)
        await organizations.update(
            connection, organization_id, changes.get("name"), changes.get("description")
        )
        await record(
            connection,
            origin,
            actor_id=user_id,
            organization_id=organization_id,
            action="organization.update",
            object_type="organization",
            object_id=organization_id,
            details={"fields": sorted(changes)},
        )
        return await organizations.one_of_member(connection, organization_id, user_id)


async def delete(
    connection: Conn, origin: RequestOrigin, user_id: uuid.UUID, organization_id: uuid.UUID
) -> None:
    async with connection.transaction():
        await authorize(connection, user_id, organization_id, Permission.ORGANIZATION_DELETE)
        await organizations.delete(connection, organization_id)
        await record(
            connection,
            origin,
            actor_id=user_id,
            organization_id=organization_id,
            action="organization.delete",
            object_type="organization",
            object_id=organization_id,
        )
