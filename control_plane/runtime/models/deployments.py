"""Bodies of the deployment API: targets (SSH hosts), deploy, rollback, status, and the
deployment logs (runs of the ledger)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from control_plane.foundation.models import Body, Name
from deployment.errors import DeployError
from deployment.inventory import Target


class Environment(StrEnum):
    PRODUCTION = "production"
    STAGING = "staging"
    DEVELOPMENT = "development"


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
