"""Bodies of the deployment API: targets (SSH hosts), deploy, rollback, status, and the
deployment logs (runs of the ledger)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from control_plane.foundation.models import Body, Name
from control_plane.runs.models import RunKind, RunStatus, StepStatus
from control_plane.runtime.models.environments import Environment
from deployment.errors import DeployError
from deployment.inventory import Target


def _address(host: str) -> str:
    """A hostname or an IP address, as `nocode deploy --host` takes it."""
    try:
        Target.parse(f"root@[{host}]" if ":" in host else f"root@{host}")
    except DeployError:
        raise ValueError("must be a hostname or an IP address") from None
    return host


def _private_key(text: str) -> str:
    """An unencrypted private key, OpenSSH or PEM, ending with a newline as ssh wants."""
    data = text.strip().encode() + b"\n"
    loader = (
        serialization.load_ssh_private_key
        if data.startswith(b"-----BEGIN OPENSSH PRIVATE KEY-----")
        else serialization.load_pem_private_key
    )
    try:
        loader(data, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise ValueError("must be an unencrypted private key (OpenSSH or PEM)") from None
    return data.decode()


def _distinct(environments: list[Environment]) -> list[Environment]:
    if len(set(environments)) != len(environments):
        raise ValueError("lists an environment twice")
    return sorted(environments)


Host = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=253),
    AfterValidator(_address),
]
Port = Annotated[int, Field(ge=1, le=65535)]
Username = Annotated[str, Field(pattern=r"^[a-z_][a-z0-9_-]{0,31}$")]
PrivateKey = Annotated[str, Field(min_length=1, max_length=16384), AfterValidator(_private_key)]
AppsRoot = Annotated[str, Field(pattern=r"^/[A-Za-z0-9._/-]{0,15}$")]
Environments = Annotated[list[Environment], AfterValidator(_distinct)]


class TargetCreate(Body):
    organization_id: uuid.UUID
    name: Name
    host: Host
    port: Port = 22
    username: Username = "root"
    private_key: PrivateKey
    app_port: Port = 8000
    apps_root: AppsRoot = "/srv/nocode"
    environments: Environments = Field(default_factory=list)


class TargetUpdate(Body):
    """Only the fields given change; the private key too (omit it to keep it)."""

    name: Name = Field(default=None)  # type: ignore[assignment]
    host: Host = Field(default=None)  # type: ignore[assignment]
    port: Port = Field(default=None)  # type: ignore[assignment]
    username: Username = Field(default=None)  # type: ignore[assignment]
    private_key: PrivateKey = Field(default=None)  # type: ignore[assignment]
    app_port: Port = Field(default=None)  # type: ignore[assignment]
    apps_root: AppsRoot = Field(default=None)  # type: ignore[assignment]
    environments: Environments = Field(default=None)  # type: ignore[arg-type]


class TargetPublic(BaseModel):
    """A target as the API shows it: its key is never returned, only whether it has one."""

    id: uuid.UUID
    organization_id: uuid.UUID
    name: str
    host: str
    port: int
    username: str
    private_key_configured: bool
    app_port: int
    apps_root: str
    environments: list[Environment]
    created_at: datetime
    updated_at: datetime


class DeployRequest(Body):
    environment: Environment | None = None  # the app's own environment by default
    force_redeploy: bool = False  # start even while another deployment of it runs
    migration_required: bool = True  # recorded; a release always runs its migrations


class RollbackRequest(Body):
    environment: Environment | None = None


class DeploymentStarted(BaseModel):
    status: str = "déploiement démarré"
    deployment_id: uuid.UUID
    kind: RunKind
    app_id: uuid.UUID
    app_status: str
    environment: Environment
    target: str  # "local", or the SSH target's name
    estimated_time: str
    deployment_steps: list[str]


class NewDeployment(BaseModel):
    id: uuid.UUID
    status: RunStatus
    created_at: datetime


class RetryStarted(BaseModel):
    status: str = "redémarrage du déploiement"
    original_deployment_id: uuid.UUID
    new_deployment: NewDeployment
    estimated_time: str


class Author(BaseModel):
    id: uuid.UUID
    email: str
    full_name: str | None


class AppReference(BaseModel):
    id: uuid.UUID
    name: str


class StepSummary(BaseModel):
    name: str
    status: StepStatus
    duration: str | None


class StepPublic(BaseModel):
    step: str
    status: StepStatus
    started_at: datetime | None
    completed_at: datetime | None
    duration: str | None
    details: str


class LogLinePublic(BaseModel):
    at: datetime
    step: str
    host: str
    task: str
    status: str
    message: str


class DeploymentLogPublic(BaseModel):
    id: uuid.UUID
    kind: RunKind
    app: AppReference
    status: RunStatus
    environment: Environment
    target_id: uuid.UUID | None  # None: the local target
    version: str | None
    commit: str | None
    created_at: datetime
    started_at: datetime | None
    completed_at: datetime | None
    duration: str | None
    performed_by: Author | None
    retry_of: uuid.UUID | None
    error_code: str | None
    error_message: str | None
    deployment_details: dict[str, Any]


class DeploymentLogDetail(DeploymentLogPublic):
    steps: list[StepPublic]
    logs: list[LogLinePublic]
    rollback_available: bool


class AppLogEntry(DeploymentLogPublic):
    steps: list[StepSummary]


class AppLogs(BaseModel):
    app_id: uuid.UUID
    app_name: str
    total_logs: int
    logs: list[AppLogEntry]  # the latest 50


class DeploymentStatus(BaseModel):
    status: RunStatus
    kind: RunKind
    version: str | None
    deployed_at: datetime | None
    deployment_duration: str | None
    environment: Environment


class HealthStatus(BaseModel):
    overall: str  # healthy, unhealthy, unreachable, not_deployed
    database: str | None  # as the app's /health says
    api: str  # responding, not_responding
    last_check: datetime


class Performance(BaseModel):
    """From the app's Prometheus /metrics, since its start (the requests to /health and
    /metrics left out); None when it cannot be read."""

    requests: int | None
    response_time_ms: float | None
    error_rate: float | None  # percent of answers with a 5xx status


class AppStatus(BaseModel):
    app_id: uuid.UUID
    name: str
    status: str
    environment: Environment
    deployment_status: DeploymentStatus | None
    health_status: HealthStatus
    performance: Performance
    last_deployed: datetime | None
    last_deployment_status: RunStatus | None
    api_url: str | None
    created_at: datetime
    updated_at: datetime
