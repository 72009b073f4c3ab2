"""Plans and subscriptions: every organisation has one subscription (free when created).

Moving to the free plan takes effect at once; a paid plan goes through the payment
provider (see billing.py), and answers 503 while none is configured.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request

from control_plane.db import Conn, Connection
from control_plane.errors import VALIDATION, ApiError
from control_plane.foundation.audit import record
from control_plane.foundation.billing import start_checkout
from control_plane.foundation.deps import CurrentUser
from control_plane.foundation.limits import MAX_MEMBERS_PER_ORGANIZATION
from control_plane.foundation.permissions import MATRIX, Permission, Role, authorize
from control_plane.foundation.schemas import PlanPublic, SubscriptionChange, SubscriptionPublic
from control_plane.pagination import Listing, Page, Pagination, fetch_page

router = APIRouter(tags=["subscriptions"])

_PLAN_COLUMNS = "p.code, p.name, p.monthly_price_cents, p.currency, p.limits"
_SUBSCRIPTION_COLUMNS = f"""s.organization_id, s.status, s.started_at, s.updated_at,
{_PLAN_COLUMNS},
(SELECT count(*) FROM memberships AS c WHERE c.organization_id = s.organization_id) AS users"""
_PLANS = Listing(columns=_PLAN_COLUMNS, source="FROM plans AS p", order="p.position, p.code")
_READABLE_ROLES = [role.value for role in Role if Permission.SUBSCRIPTION_READ in MATRIX[role]]
_MINE = Listing(
    columns=_SUBSCRIPTION_COLUMNS,
    source="""
    FROM subscriptions AS s JOIN plans AS p ON p.code = s.plan_code
    JOIN memberships AS m ON m.organization_id = s.organization_id
    WHERE m.user_id = %(user)s AND m.role = ANY(%(roles)s)
    """,
    order="s.started_at, s.organization_id",
)


def _plan(row: dict[str, Any]) -> PlanPublic:
    limits = {"users": MAX_MEMBERS_PER_ORGANIZATION, **row["limits"]}
    return PlanPublic(**{**row, "limits": limits})


def _subscription(row: dict[str, Any]) -> SubscriptionPublic:
    return SubscriptionPublic(**row, plan=_plan(row))


async def _current(connection: Conn, organization_id: uuid.UUID) -> SubscriptionPublic:
    cursor = await connection.execute(
        f"SELECT {_SUBSCRIPTION_COLUMNS} FROM subscriptions AS s "
        "JOIN plans AS p ON p.code = s.plan_code WHERE s.organization_id = %s",
        (organization_id,),
    )
    row = await cursor.fetchone()
    assert row is not None  # created with the organisation
    return _subscription(row)


@router.get("/plans/", tags=["subscriptions"])
async def list_plans(
    request: Request, connection: Connection, pagination: Pagination
) -> Page[PlanPublic]:
    """The plans on offer, with their limits (null: no limit)."""
    page = await fetch_page(connection, request, pagination, _PLANS, {})
    return Page[PlanPublic](**{**page, "results": [_plan(row) for row in page["results"]]})


@router.get("/subscriptions/")
async def list_subscriptions(
    user: CurrentUser, request: Request, connection: Connection, pagination: Pagination
) -> Page[SubscriptionPublic]:
    """The subscriptions of the caller's organisations (MEMBER and above)."""
    values = {"user": user.id, "roles": _READABLE_ROLES}
    page = await fetch_page(connection, request, pagination, _MINE, values)
    return Page[SubscriptionPublic](
        **{**page, "results": [_subscription(row) for row in page["results"]]}
    )


@router.get("/organizations/{organization_id}/subscription/")
async def get_subscription(
    organization_id: uuid.UUID, user: CurrentUser, connection: Connection
) -> SubscriptionPublic:
    await authorize(connection, user.id, organization_id, Permission.SUBSCRIPTION_READ)
    return await _current(connection, organization_id)


@router.put("/organizations/{organization_id}/subscription/")
async def change_plan(
    organization_id: uuid.UUID,
    body: SubscriptionChange,
    user: CurrentUser,
    request: Request,
    connection: Connection,
) -> SubscriptionPublic:
    """Change the plan (OWNER). A paid plan needs a payment provider."""
    async with connection.transaction():
        await authorize(connection, user.id, organization_id, Permission.SUBSCRIPTION_MANAGE)
        cursor = await connection.execute(
            "SELECT monthly_price_cents FROM plans WHERE code = %s", (body.plan,)
        )
        plan = await cursor.fetchone()
        if plan is None:
            raise ApiError(VALIDATION, {"plan": f"No plan {body.plan!r}."})
        cursor = await connection.execute(
            "SELECT plan_code FROM subscriptions WHERE organization_id = %s FOR UPDATE",
            (organization_id,),
        )
        before = await cursor.fetchone()
        assert before is not None  # created with the organisation
        subscription_status = "active"
        if plan["monthly_price_cents"] > 0:
            await start_checkout(organization_id, body.plan)
            subscription_status = "pending_payment"
        await connection.execute(
            "UPDATE subscriptions SET plan_code = %s, status = %s, updated_at = now() "
            "WHERE organization_id = %s",
            (body.plan, subscription_status, organization_id),
        )
        await record(
            connection,
            request,
            actor_id=user.id,
            organization_id=organization_id,
            action="subscription.change_plan",
            object_type="subscription",
            object_id=organization_id,
            details={"from": before["plan_code"], "to": body.plan},
        )
        return await _current(connection, organization_id)
