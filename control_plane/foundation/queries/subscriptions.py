"""SQL of the `plans` and `subscriptions` tables: one subscription per organisation."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg import sql

from control_plane.db import Conn, fetch_one, fetch_value
from control_plane.foundation.models import SubscriptionStatus
from control_plane.pagination import Listing


@dataclass(frozen=True)
class Plan:
    code: str
    name: str
    monthly_price_cents: int
    currency: str
    limits: dict[str, Any]  # the plan's own limits (jsonb), null for none


@dataclass(frozen=True)
class Subscription(Plan):
    """A subscription with its plan's columns, and the organisation's user count."""

    organization_id: uuid.UUID
    status: SubscriptionStatus
    started_at: datetime
    updated_at: datetime
    users: int


_PLAN_COLUMNS = sql.SQL("p.code, p.name, p.monthly_price_cents, p.currency, p.limits")
_SUBSCRIPTION_COLUMNS = sql.SQL("""
s.organization_id, s.status, s.started_at, s.updated_at, {plan},
(SELECT count(*) FROM memberships AS c WHERE c.organization_id = s.organization_id) AS users
""").format(plan=_PLAN_COLUMNS)

PLANS = Listing(
    row=Plan,
    columns=_PLAN_COLUMNS,
    source=sql.SQL("FROM plans AS p"),
    order=sql.SQL("p.position, p.code"),
)

# The subscriptions of the user's organisations where their role is one of `roles`.
OF_MEMBER = Listing(
    row=Subscription,
    columns=_SUBSCRIPTION_COLUMNS,
    source=sql.SQL("""
    FROM subscriptions AS s JOIN plans AS p ON p.code = s.plan_code
    JOIN memberships AS m ON m.organization_id = s.organization_id
    WHERE m.user_id = %(user)s AND m.role = ANY(%(roles)s)
    """),
    order=sql.SQL("s.started_at, s.organization_id"),
)

OF_ORGANIZATION = sql.SQL("""
SELECT {columns} FROM subscriptions AS s JOIN plans AS p ON p.code = s.plan_code
WHERE s.organization_id = %(organization)s
""").format(columns=_SUBSCRIPTION_COLUMNS)

PLAN_PRICE = "SELECT monthly_price_cents FROM plans WHERE code = %(plan)s"

PLAN_CODE_FOR_UPDATE = """
SELECT plan_code FROM subscriptions WHERE organization_id = %(organization)s FOR UPDATE
"""

INSERT = """
INSERT INTO subscriptions (organization_id, plan_code, status)
VALUES (%(organization)s, %(plan)s, %(status)s)
"""

SET_PLAN = """
UPDATE subscriptions SET plan_code = %(plan)s, status = %(status)s, updated_at = now()
WHERE organization_id = %(organization)s
"""


async def of_organization(connection: Conn, organization_id: uuid.UUID) -> Subscription:
    values = {"organization": organization_id}
    subscription = await fetch_one(connection, Subscription, OF_ORGANIZATION, values)
    assert subscription is not None  # created with the organisation
    return subscription


async def plan_price(connection: Conn, plan_code: str) -> int | None:
    """The plan's monthly price in cents; None when there is no such plan."""
    return await fetch_value(connection, int, PLAN_PRICE, {"plan": plan_code})


async def lock_plan_code(connection: Conn, organization_id: uuid.UUID) -> str:
    """The organisation's current plan, its subscription locked until the transaction ends."""
    values = {"organization": organization_id}
    plan_code = await fetch_value(connection, str, PLAN_CODE_FOR_UPDATE, values)
    assert plan_code is not None  # created with the organisation
    return plan_code


async def insert(
    connection: Conn, organization_id: uuid.UUID, plan_code: str, status: SubscriptionStatus
) -> None:
    values = {"organization": organization_id, "plan": plan_code, "status": status}
    await connection.execute(INSERT, values)


async def set_plan(
    connection: Conn, organization_id: uuid.UUID, plan_code: str, status: SubscriptionStatus
) -> None:
    values = {"organization": organization_id, "plan": plan_code, "status": status}
    await connection.execute(SET_PLAN, values)
