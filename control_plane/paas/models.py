"""The PaaS API's bodies, in seed 002's shapes: every answer has `success`, a deployment
has the seed's fields and a few of the platform's (organization_id, source, commit)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel


class DeploymentType(StrEnum):
    VM = "vm"
    LXC = "lxc"


class DeploymentStatus(StrEnum):
    PENDING = "pending"
    PROVISIONING = "provisioning"
    DEPLOYING = "deploying"
    RUNNING = "running"
    FAILED = "failed"
    STOPPED = "stopped"
    DELETED = "deleted"

    @property
    def in_progress(self) -> bool:
        return self in (self.PENDING, self.PROVISIONING, self.DEPLOYING)


class SourceKind(StrEnum):
    GITHUB = "github"  # https://github.com/owner/repo, as seed 002 validates it
    GIT = "git"  # a repository on the control plane's machine, under PAAS_SOURCE_ROOTS
    APP = "app"  # a Runtime app of the organisation: its own repository


class ResourcesPublic(BaseModel):
    cores: int
    memory: int  # MB
    disk: int  # GB


class DeploymentPublic(BaseModel):
    id: uuid.UUID
    organization_id: uuid.UUID
    name: str
    deployment_type: DeploymentType
    framework: str
    github_url: str | None
    git_url: str | None
    app_id: uuid.UUID | None
    commit: str | None
    resources: ResourcesPublic
    status: DeploymentStatus
    created_at: datetime
    deployed_at: datetime | None
    ip_address: str | None
    vm_id: int
    error_message: str | None
    access_url: str | None


class FrameworksResponse(BaseModel):
    success: bool = True
    frameworks: dict[str, dict[str, Any]]


class DeploymentResponse(BaseModel):
    success: bool = True
    message: str | None = None
    deployment: DeploymentPublic


class DeploymentsResponse(BaseModel):
    success: bool = True
    count: int
    deployments: list[DeploymentPublic]


class MessageResponse(BaseModel):
    success: bool = True
    message: str


class PaasRunStep(BaseModel):
    name: str
    status: str
    details: str
    started_at: datetime | None
    completed_at: datetime | None


class PaasRunLogLine(BaseModel):
    at: datetime
    step: str
    host: str
    status: str
    message: str


class PaasRun(BaseModel):
    """One run of the ledger: the deployment, or the deletion."""

    id: uuid.UUID
    kind: str
    status: str
    error_message: str | None
    created_at: datetime
    completed_at: datetime | None
    steps: list[PaasRunStep]
    lines: list[PaasRunLogLine]


class LogsResponse(BaseModel):
    success: bool = True
    logs: str  # seed 002: the log as text, one line per log line of every run
    runs: list[PaasRun]


class Stats(BaseModel):
    total_deployments: int  # deleted deployments are not counted (see deleted_deployments)
    running_deployments: int
    failed_deployments: int
    success_rate: float  # running / total, in percent
    deleted_deployments: int
    by_status: dict[str, int]
    resources_in_use: ResourcesPublic  # of the machines that exist
    machines: int


class StatsResponse(BaseModel):
    success: bool = True
    stats: Stats


class HealthResponse(BaseModel):
    status: str
    database: str
    service: str
    version: str
