"""Who to deploy to: `user@address[:port]` targets or an inventory file, and host keys.

Host keys are checked. A host seen for the first time has its key recorded in nocode's own
known_hosts file (trust on first use, like `ssh -o StrictHostKeyChecking=accept-new`); a
key that differs from the recorded one stops the deployment.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from pathlib import Path

from deployment.errors import INVALID_CONFIGURATION, DeployError

GROUP = "nocode_targets"
_TARGET = re.compile(
    r"^(?:(?P<user>[a-z_][a-z0-9_-]{0,31})@)?(?P<address>[^@:\s]+|\[[0-9a-f:]+\])(?::(?P<port>[0-9]{1,5}))?$"
)
_HOSTNAME = re.compile(
    r"^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
)


@dataclass(frozen=True)
class Target:
    user: str
    address: str
    port: int

    @classmethod
    def parse(cls, text: str) -> Target:
        match = _TARGET.match(text.strip())
        port = int(match["port"]) if match and match["port"] else 22
        if match is None or not 0 < port < 65536 or not _valid_address(match["address"]):
            raise DeployError(INVALID_CONFIGURATION, f"--host: {text!r} is not user@address[:port]")
        return cls(user=match["user"] or "root", address=match["address"].strip("[]"), port=port)


def _valid_address(address: str) -> bool:
    try:
        ipaddress.ip_address(address.strip("[]"))
    except ValueError:
        return bool(_HOSTNAME.match(address))
    return True


def inventory_for(targets: list[Target], key_file: Path | None) -> dict[str, object]:
    """An inventory with the targets in the deployment group."""
    hosts: dict[str, dict[str, object]] = {}
    for target in targets:
        variables: dict[str, object] = {
            "ansible_host": target.address,
            "ansible_port": target.port,
            "ansible_user": target.user,
        }
        if key_file is not None:
            variables["ansible_ssh_private_key_file"] = str(key_file)
        hosts[target.address if target.port == 22 else f"{target.address}:{target.port}"] = (
            variables
        )
    return {GROUP: {"hosts": hosts}}


def read_inventory(path: Path) -> str:
    """An inventory file's text, checked to define the deployment group."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise DeployError(INVALID_CONFIGURATION, f"--inventory: {path}: {error.strerror}") from None
    if GROUP not in text:
        raise DeployError(
            INVALID_CONFIGURATION, f"--inventory: {path} has no group {GROUP!r} to deploy to"
        )
    return text
