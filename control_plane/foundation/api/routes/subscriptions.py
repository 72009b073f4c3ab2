"""`/plans/`, `/subscriptions/` and `/organizations/{id}/subscription/`: the plans on
offer, the subscriptions of the caller's organisations, and changing one's plan."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request

from control_plane.foundation.api.deps import Caller, Connection, Origin, Pagination
from control_plane.foundation.models import PlanPublic, SubscriptionChange, SubscriptionPublic
from control_plane.foundation.permissions import Permission, authorize
from control_plane.foundation.queries import subscriptions as queries
from control_plane.foundation.services import subscriptions
from control_plane.pagination import Page, fetch_page

router = APIRouter(tags=["subscriptions"])


@router.get("/plans/", tags=["subscriptions"])
async def list_plans(
    request: Request, connection: Connection, pagination: Pagination
) -> Page[PlanPublic]:
    """The plans on offer, with their limits (null: no limit)."""
    page = await fetch_page(connection, request, pagination, queries.PLANS, {})
    return page.map(subscriptions.plan_public)


@router.get("/subscriptions/")
async def list_subscriptions(
    caller: Caller, request: Request, connection: Connection, pagination: Pagination
) -> Page[SubscriptionPublic]:
    """The subscriptions of the caller's organisations (MEMBER and above)."""
    values = {"user": caller.id, "roles": subscriptions.READING_ROLES}
    page = await fetch_page(connection, request, pagination, queries.OF_MEMBER, values)
    return page.map(subscriptions.subscription_public)


@router.get("/organizations/{organization_id}/subscription/")
async def get_subscription(
    organization_id: uuid.UUID, caller: Caller, connection: Connection
) -> SubscriptionPublic:
    await authorize(connection, caller.id, organization_id, Permission.SUBSCRIPTION_READ)
    return await subscriptions.current(connection, organization_id)


@router.put("/organizations/{organization_id}/subscription/")
async def change_plan(
    organization_id: uuid.UUID,
    body: SubscriptionChange,
    caller: Caller,
    origin: Origin,
    connection: Connection,
) -> SubscriptionPublic:
    """Change the plan (OWNER). A paid plan needs a payment provider."""
    return await subscriptions.change_plan(
        connection, origin, caller.id, organization_id, body.plan
    )
