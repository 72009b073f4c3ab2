"""Bodies of `/apps/` (seed 000, "Applications Générées"): an app made from a published
version of a project, its status, its Git repository, and its regeneration plan."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from control_plane.foundation.models import Body, Name
from control_plane.runtime.models.environments import Environment


class AppStatus(StrEnum):
    DRAFT = "draft"  # its first generation is queued or running
    GENERATED = "generated"
    DEPLOYMENT_PENDING = "deployment_pending"
    DEPLOYED = "deployed"
    DEPLOYMENT_FAILED = "deployment_failed"
    ERROR = "error"  # its first generation failed: error_message says why


VERSION_PATTERN = r"^\d{1,9}\.\d{1,9}\.\d{1,9}$"
VersionNumber = Annotated[str, StringConstraints(pattern=VERSION_PATTERN)]

# Where a generation may be pushed: a network remote only. `file:` and local paths would
# let an organisation write into any folder of this machine (another app's repository),
# `ext::` runs a command, and a leading `-` would be read as an option.
_SCP_LIKE = re.compile(r"^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^\s]+$")
_SCHEMES = frozenset({"https", "http", "ssh"})


def _network_remote(url: str) -> str:
    if any(character.isspace() or ord(character) < 32 for character in url):
        raise ValueError("must not contain spaces or control characters")
    if _SCP_LIKE.match(url):
        return url
    parts = urlsplit(url)
    if parts.scheme not in _SCHEMES or not parts.hostname:
        raise ValueError("must be an https://, http:// or ssh:// URL, or user@host:path")
    return url


RemoteUrl = Annotated[str, Field(min_length=1, max_length=2000), AfterValidator(_network_remote)]


def without_password(url: str) -> str:
    """`url` with the password of its user part masked: what the API shows, and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    return parts._replace(netloc=f"{user}:***@{parts.netloc.rpartition('@')[2]}").geturl()


class AppCreate(Body):
    project: uuid.UUID
    name: Name
    environment: Environment = Environment.PRODUCTION
    version: VersionNumber | None = Field(
        default=None, description="A published version; the newest when left out"
    )


class AppUpdate(Body):
    name: Name | None = None
    environment: Environment | None = None
    remote_url: RemoteUrl | None = Field(
        default=None, description="Every generation is pushed there; null removes it"
    )


class AppRegenerate(Body):
    version: VersionNumber | None = None
    force: bool = Field(default=False, description="Accept changes that lose data")


class ProjectSummary(BaseModel):
    id: uuid.UUID
    name: str
    organization_id: uuid.UUID
    organization_name: str


class DeploymentInfo(BaseModel):
    environment: Environment
    url: str
    deployed_at: datetime


class AppPublic(BaseModel):
    id: uuid.UUID
    project: ProjectSummary
    name: str
    status: AppStatus
    version: str | None
    latest_version: str | None
    regeneration_required: bool
    environment: Environment
    commit: str | None
    error_message: str | None
    generation_task_id: int | None
    api_base_url: str | None  # null until deployed in its environment
    admin_url: str | None
    repository_url: str
    remote_url: str | None
    deployment_info: DeploymentInfo | None
    created_at: datetime
    updated_at: datetime


class AppCreated(AppPublic):
    estimated_generation_time: str


class RegenerationStarted(BaseModel):
    app_id: uuid.UUID
    generation_task_id: int
    version: str


class PlannedChange(BaseModel):
    class_: str = Field(serialization_alias="class")  # additive, locking, destructive
    kind: str
    path: str
    detail: str
    refusal: str | None


class AppPlan(BaseModel):
    from_version: str
    to_version: str
    changes: list[PlannedChange]
    migration_sql: str | None  # null when the database does not change, or when refused
    requires_force: bool  # a change loses data
    refused: bool  # a change the database cannot make safely, even forced
    warnings: list[str]  # hooks still using a renamed field's old name
