"""Plans and subscriptions: every organisation has one subscription (free when created).

Moving to the free plan takes effect at once; a paid plan goes through the payment
provider (see billing.py), and answers 503 while none is configured.
"""

from __future__ import annotations

import uuid

from control_plane.db import Conn
from control_plane.errors import VALIDATION, ApiError
from control_plane.foundation.limits import MAX_MEMBERS_PER_ORGANIZATION
from control_plane.foundation.models import (
    PlanPublic,
    Role,
    SubscriptionPublic,
    SubscriptionStatus,
)
from control_plane.foundation.permissions import MATRIX, Permission, authorize
from control_plane.foundation.queries import subscriptions
from control_plane.foundation.queries.subscriptions import Plan, Subscription
from control_plane.foundation.services.audit import RequestOrigin, record
from control_plane.foundation.services.billing import start_checkout

# The roles that see their organisations' subscriptions.
READING_ROLES = [role.value for role in Role if Permission.SUBSCRIPTION_READ in MATRIX[role]]


def plan_public(plan: Plan) -> PlanPublic:
    """The plan with the platform limits every plan holds."""
    return PlanPublic(
        code=plan.code,
        name=plan.name,
        monthly_price_cents=plan.monthly_price_cents,
        currency=plan.currency,
        limits={"users": MAX_MEMBERS_PER_ORGANIZATION, **plan.limits},
    )


def subscription_public(subscription: Subscription) -> SubscriptionPublic:
    return SubscriptionPublic(
        organization_id=subscription.organization_id,
        plan=plan_public(subscription),
        status=subscription.status,
        users=subscription.users,
        started_at=subscription.started_at,
        updated_at=subscription.updated_at,
    )


async def current(connection: Conn, organization_id: uuid.UUID) -> SubscriptionPublic:
    return subscription_public(await subscriptions.of_organization(connection, organization_id))


async def change_plan(
    connection: Conn,
    origin: RequestOrigin,
    user_id: uuid.UUID,
    organization_id: uuid.UUID,
    plan_code: str,
) -> SubscriptionPublic:
    """Change the plan (OWNER). A paid plan needs a payment provider."""
    async with connection.transaction():
        await authorize(connection, user_id, organization_id, Permission.SUBSCRIPTION_MANAGE)
        price = await subscriptions.plan_price(connection, plan_code)
        if price is None:
            raise ApiError(VALIDATION, {"plan": f"No plan {plan_code!r}."})
        before = await subscriptions.lock_plan_code(connection, organization_id)
        subscription_status = SubscriptionStatus.ACTIVE
        if price > 0:
            await start_checkout(organization_id, plan_code)
            subscription_status = SubscriptionStatus.PENDING_PAYMENT
        await subscriptions.set_plan(connection, organization_id, plan_code, subscription_status)
        await record(
            connection,
            origin,
            actor_id=user_id,
            organization_id=organization_id,
            action="subscription.change_plan",
            object_type="subscription",
            object_id=organization_id,
            details={"from": before, "to": plan_code},
        )
        return await current(connection, organization_id)
