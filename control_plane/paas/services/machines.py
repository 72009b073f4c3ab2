"""The machines of PaaS deployments: the provider of each deployment type, built from the
settings; the SSH key pair made for each machine; its address, picked from the provider's
network and held while the machine exists."""

from __future__ import annotations

import asyncio
import ipaddress
import time
import uuid
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from control_plane.config import Settings, vault_of
from control_plane.db import Conn
from control_plane.paas.models import DeploymentType
from control_plane.paas.queries import deployments
from control_plane.paas.queries.deployments import Deployment
from deployment.errors import INSUFFICIENT_RESOURCES, NOT_DEPLOYABLE
from deployment.inventory import Target
from deployment.providers.base import Provider, ProvisionError
from deployment.providers.libvirt import LibvirtProvider, LibvirtSettings
from deployment.providers.lxc import LxcProvider, LxcSettings
from deployment.providers.proxmox import ProxmoxProvider, ProxmoxSettings
from deployment.remote import RemoteError, key_file, run_command
from deployment.runner import Connection

# The supervisors of the apps on a machine (deploy and web app roles alike: one per app, in
# /srv/nocode/<app>/shared), started again after the machine was: nothing starts them at boot.
START_APPS = (
    'for conf in /srv/nocode/*/shared/supervisord.conf; do [ -e "$conf" ] || continue; '
    'supervisorctl -c "$conf" pid >/dev/null 2>&1 || supervisord -c "$conf" || exit 1; done'
)
START_APPS_SECONDS = 60


def provider(settings: Settings, deployment_type: DeploymentType) -> Provider:
    """The provider that makes machines of `deployment_type` (PAAS_* settings): containers
    and libvirt VMs on this machine, or VMs on a Proxmox node."""
    known_hosts = settings.data_dir.resolve() / "paas" / "known_hosts" / "providers"
    if deployment_type is DeploymentType.LXC:
        return LxcProvider(
            LxcSettings(
                lxc_path=settings.paas_lxc_path,
                bridge=settings.paas_lxc_bridge,
                gateway=settings.paas_lxc_network,
                base=settings.paas_lxc_base,
                known_hosts=known_hosts,
            )
        )
    if settings.paas_vm_provider == "proxmox":
        return ProxmoxProvider(
            ProxmoxSettings(
                api_host=settings.paas_proxmox_api_host,
                api_port=settings.paas_proxmox_api_port,
                api_user=settings.paas_proxmox_api_user,
                api_token_id=settings.paas_proxmox_api_token_id,
                api_token_secret=settings.paas_proxmox_api_token_secret.get_secret_value(),
                validate_certs=settings.paas_proxmox_validate_certs,
                node=settings.paas_proxmox_node,
                storage=settings.paas_proxmox_storage,
                bridge=settings.paas_proxmox_bridge,
                gateway=str(settings.paas_vm_network.ip),
                vm_template=settings.paas_proxmox_vm_template,
                known_hosts=known_hosts,
            )
        )
    return LibvirtProvider(
        LibvirtSettings(
            network=settings.paas_vm_bridge,
            gateway=settings.paas_vm_network,
            image_dir=settings.paas_vm_image_dir,
            known_hosts=known_hosts,
        )
    )


def network(settings: Settings, deployment_type: DeploymentType) -> ipaddress.IPv4Interface:
    """The gateway's address on the network the provider's machines get addresses from."""
    if deployment_type is DeploymentType.LXC:
        return settings.paas_lxc_network
    return settings.paas_vm_network


def key_pair() -> tuple[str, str]:
    """A new Ed25519 key pair: (OpenSSH private key, public key line)."""
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.OpenSSH,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
        .decode()
    )
    return private, f"{public} nocode-paas"


async def hold_address(
    connection: Conn,
    deployment_id: uuid.UUID,
    deployment_type: DeploymentType,
    gateway: ipaddress.IPv4Interface,
) -> ipaddress.IPv4Interface:
    """The lowest address of the gateway's network that no live machine holds (the
    deployment's own when it holds one already), held for it."""
    async with connection.transaction():
        await deployments.lock_addresses(connection)
        row = await deployments.one(connection, deployment_id)
        assert row is not None
        if row.address_held and row.ip_address is not None:
            return ipaddress.IPv4Interface(f"{row.ip_address}/{gateway.network.prefixlen}")
        held = await deployments.held_addresses(connection, deployment_type, deployment_id)
        for address in gateway.network.hosts():
            if address != gateway.ip and str(address) not in held:
                await deployments.hold_address(connection, deployment_id, address)
                return ipaddress.IPv4Interface(f"{address}/{gateway.network.prefixlen}")
    raise ProvisionError(INSUFFICIENT_RESOURCES, f"no free address left in {gateway.network}")


def known_hosts(settings: Settings, deployment_id: uuid.UUID) -> Path:
    """The machine's host key, in a file of its own: a later machine may get its address."""
    return settings.data_dir.resolve() / "paas" / "known_hosts" / str(deployment_id)


async def start_apps(settings: Settings, deployment: Deployment) -> None:
    """Start the apps of a machine that was started again, over SSH with its key, as soon
    as it answers (within START_APPS_SECONDS)."""
    assert deployment.ssh_private_key is not None and deployment.ip_address is not None
    private_key = vault_of(settings).decrypt(deployment.ssh_private_key)
    target = Target("root", str(deployment.ip_address), 22)
    deadline = time.monotonic() + START_APPS_SECONDS
    with key_file(private_key) as key:
        connection = Connection(known_hosts(settings, deployment.id), key)
        while True:
            try:
                await run_command(target, connection, START_APPS, timeout_seconds=30)
                return
            except RemoteError as error:
                if time.monotonic() > deadline:
                    raise ProvisionError(
                        NOT_DEPLOYABLE, f"the apps did not start: {error}"
                    ) from None
            await asyncio.sleep(1)
