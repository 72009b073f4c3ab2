"""Bodies of `/integrations/` (seed 004, "Intégrations Externes"). A configuration's
secret keys (models/providers.py) go in, never out: answers say `<key>_configured`."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints

from control_plane.automation.models.common import IntegrationType
from control_plane.foundation.models import Body, OneLine

Configuration = Annotated[dict[str, Any], Field(max_length=50)]
Description = Annotated[str, StringConstraints(max_length=2000)]
ProviderName = Annotated[str, StringConstraints(min_length=1, max_length=100), OneLine]
IntegrationName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), OneLine
]


class IntegrationStatus(StrEnum):
    CONFIGURED = "configured"
    ERROR = "error"  # its last connection test failed
    DISABLED = "disabled"  # kept, but no node may use it


class IntegrationCreate(Body):
    organization_id: uuid.UUID
    name: IntegrationName
    type: IntegrationType
    provider: ProviderName
    description: Description = ""
    configuration: Configuration = Field(default_factory=dict)
    settings: Configuration = Field(default_factory=dict)


class IntegrationUpdate(Body):
    """Only the keys given change; in `configuration`, only the keys it holds (a secret
    left out keeps its value; a key given as null is removed)."""

    name: IntegrationName = Field(default=None)  # type: ignore[assignment]
    description: Description = Field(default=None)  # type: ignore[assignment]
    # `error` is the connection test's to set; a person enables or disables.
    status: Literal[IntegrationStatus.CONFIGURED, IntegrationStatus.DISABLED] | None = None
    configuration: Configuration | None = None
    settings: Configuration | None = None


class IntegrationPublic(BaseModel):
    id: uuid.UUID
    tracking_id: uuid.UUID
    organization_id: uuid.UUID
    name: str
    type: IntegrationType
    provider: str
    status: IntegrationStatus
    description: str
    configuration: dict[str, Any]  # secrets as `<key>_configured: true`
    settings: dict[str, Any]
    usage_statistics: dict[str, Any]
    health_status: dict[str, Any]
    webhook_endpoint: str
    created_at: datetime
    updated_at: datetime


class WebhookReceived(BaseModel):
    received: bool = True
    event_id: int


class HealthStatus(BaseModel):
    """What `POST /integrations/{id}/test/` found, kept as the integration's health."""

    overall: str  # healthy, unhealthy
    api_connection: str  # connected, failed, not_checked
    last_check: datetime
    message: str
