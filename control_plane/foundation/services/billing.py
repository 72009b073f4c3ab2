"""Payment providers, behind one interface.

A paid plan is bought through a provider (a hosted checkout page, then the provider's
confirmation). None is configured in this version: no provider is reachable from where it
is built and tested, and a pretend payment would be worse than none. Until one is
plugged in here, paid plans answer 503 UNAVAILABLE; moving to the free plan needs none.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Protocol

from control_plane.errors import UNAVAILABLE, ApiError


@dataclass(frozen=True)
class Checkout:
    """Where to send the OWNER to pay; the subscription waits in `pending_payment`."""

    url: str


class PaymentProvider(Protocol):
    async def start_checkout(self, organization_id: uuid.UUID, plan_code: str) -> Checkout: ...


def configured_provider() -> PaymentProvider | None:
    return None


async def start_checkout(organization_id: uuid.UUID, plan_code: str) -> Checkout:
    """Open the provider's checkout for a paid plan; 503 while no provider is configured."""
    provider = configured_provider()
    if provider is None:
        raise ApiError(UNAVAILABLE, {"plan": "No payment provider is configured."})
    return await provider.start_checkout(organization_id, plan_code)
