"""Settings of the control plane, from environment variables (or a `.env` file).

Every setting is documented in the README. A bad value stops the service at start with
the variable's name and what is wrong with it.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from platform_support.vault import Vault


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    database_url: str = Field(
        min_length=1, description="PostgreSQL URL; `nocode serve` starts an embedded one if unset"
    )
    jwt_secret: SecretStr = Field(min_length=32, description="HS256 key of the tokens")
    secret_key: SecretStr = Field(
        validation_alias="NOCODE_SECRET_KEY",
        description="Fernet key encrypting secrets at rest; `nocode serve` makes one",
    )
    data_dir: Path = Field(
        default=Path("nocode-data"),
        validation_alias="NOCODE_DATA_DIR",
        description="Apps' repositories and local deployments (and the embedded PostgreSQL)",
    )
    public_url: str = Field(
        default="http://127.0.0.1:8080", description="Base of the links put in emails"
    )
    access_token_minutes: int = Field(default=15, ge=1, le=24 * 60)
    refresh_token_days: int = Field(default=14, ge=1, le=365)
    email_token_hours: int = Field(default=24, ge=1, le=24 * 14)
    login_failures_per_account: int = Field(default=5, ge=1)
    login_failures_per_address: int = Field(default=20, ge=1)
    login_failure_window_minutes: int = Field(default=15, ge=1)
    db_pool_min_size: int = Field(default=2, ge=1)
    db_pool_max_size: int = Field(default=10, ge=1)
    db_pool_timeout: float = Field(
        default=3.0, gt=0, description="Seconds a request waits for a connection, then gets 503"
    )
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    app_timeout: float = Field(
        default=30.0, gt=0, description="Seconds the platform waits for a deployed app's answer"
    )
    in_process_worker: bool = Field(default=True, description="Run a job worker in the server")
    in_process_worker_concurrency: int = Field(
        default=4, ge=1, le=32, description="Jobs the in-process worker runs at once"
    )
    deploy_health_deadline: int = Field(
        default=60, ge=1, le=600, description="Seconds a deployed release has to answer /health"
    )
    app_events_timeout_seconds: float = Field(
        default=5.0,
        gt=0,
        le=30,
        description="Seconds the collector of record events waits for one answer of an app",
    )
    job_retention_days: int = Field(
        default=30, ge=1, le=3650, description="Days a finished job is kept (scheduled ones: 1)"
    )
    automation_allow_loopback: bool = Field(
        default=False,
        description="Let workflows' HTTP requests reach loopback addresses (tests, one-box setups)",
    )
    automation_retry_backoff_seconds: float = Field(
        default=1.0, gt=0, le=3600, description="First wait before a failed node's retry"
    )
    insights_export_pdf_rows: int = Field(
        default=500, ge=1, le=5000, description="Rows at most in the table of a PDF export"
    )
    insights_retention_days: int = Field(
        default=90,
        ge=1,
        le=3650,
        description="Days raw Insights events and metric samples are kept (event rollups stay)",
    )
    insights_control_plane_url: str | None = Field(
        default=None,
        description="Where the metrics job reads the control plane's /metrics and /health;"
        " `nocode serve` sets its own address",
    )
    paas_source_roots: list[Path] = Field(
        default_factory=list,
        description="Folders whose Git repositories the PaaS API deploys by path or file:// URL",
    )
    paas_keep_failed: bool = Field(
        default=False, description="Keep the machine of a failed PaaS deployment for inspection"
    )
    paas_machine_prefix: str = Field(
        default="nocode-",
        pattern="^[a-z][a-z0-9-]{0,20}$",
        description="Start of the names of the machines the PaaS API makes",
    )
    paas_lxc_path: Path = Field(
        default=Path("/var/lib/nocode/lxc"), description="Where the LXC containers live"
    )
    paas_lxc_bridge: str = Field(default="nocodebr0", description="The containers' bridge")
    paas_lxc_network: ipaddress.IPv4Interface = Field(
        default=ipaddress.IPv4Interface("10.211.0.1/24"),
        description="The bridge's address: the containers' gateway and network",
    )
    paas_lxc_base: str = Field(default="nocode-base", description="The cached base container")
    paas_vm_network: ipaddress.IPv4Interface = Field(
        default=ipaddress.IPv4Interface("10.212.0.1/24"),
        description="The VMs' gateway and network",
    )
    paas_vm_provider: Literal["libvirt", "proxmox"] = Field(
        default="libvirt", description="Who makes the PaaS VMs: libvirt here, or a Proxmox node"
    )
    paas_proxmox_api_host: str = Field(default="", description="The Proxmox API's host")
    paas_proxmox_api_port: int = Field(default=8006, ge=1, le=65535)
    paas_proxmox_api_user: str = Field(default="", description="e.g. nocode@pve")
    paas_proxmox_api_token_id: str = Field(default="", description="The API token's id")
    paas_proxmox_api_token_secret: SecretStr = Field(default=SecretStr(""))
    paas_proxmox_validate_certs: bool = Field(default=True)
    paas_proxmox_node: str = Field(default="", description="The node the VMs are made on")
    paas_proxmox_storage: str = Field(default="local-lvm", description="Where their disks go")
    paas_proxmox_bridge: str = Field(default="vmbr0", description="The VMs' bridge on the node")
    paas_proxmox_vm_template: str = Field(
        default="", description="The cloud-init template the VMs are cloned from"
    )
    paas_vm_bridge: str = Field(
        default="nocode-vms", description="The libvirt network (and bridge) of the VMs"
    )
    paas_vm_image_dir: Path = Field(
        default=Path("/var/lib/nocode/images"),
        description="Where the VMs' base image and disks live (libvirt)",
    )
    log_level: str = Field(default="INFO", pattern="^(DEBUG|INFO|WARNING|ERROR)$")


@lru_cache
def get_settings() -> Settings:
    return Settings()  # type: ignore[call-arg]  # required values come from the environment


def vault_of(settings: Settings) -> Vault:
    """The vault of the settings' key, made once per key (forwarded requests use it)."""
    return _vault(settings.secret_key.get_secret_value())


@lru_cache
def _vault(key: str) -> Vault:
    return Vault(key)
