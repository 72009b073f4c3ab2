"""LXC containers for tests: the provider on the tests' own bridge and lxc_path, its base made
once per machine, and what is left of a container on the host (to show a destroy removed it).

`prepare_lxc_provider()` is the body of the session fixture `lxc_provider`
(tests/provisioning/conftest.py); other test folders call it from their own conftest.
Addresses on the bridge: tests/provisioning takes 10.213.0.200-.239, the base's warm-up
container .254; other folders take theirs below .200.
"""

from __future__ import annotations

import ipaddress
import shutil
import subprocess
from pathlib import Path

from deployment.providers.base import MachineRequest, Resources
from deployment.providers.lxc import LxcProvider, LxcSettings
from tests.deploy.hosts import locked

LXC_PATH = Path("/var/lib/nocode-tests/lxc")
BRIDGE = "nctbr0"
GATEWAY = ipaddress.IPv4Interface("10.213.0.1/24")
BASE = "nct-base"
# Made once per machine (a base, a bridge): by one pytest process, the others wait for it.
BASE_LOCK = Path("/run/nocode-tests-lxc-base.lock")
# The container that makes the base: provisioned, then destroyed at once.
_WARMUP = "nct-warmup"
_WARMUP_ADDRESS = ipaddress.IPv4Interface("10.213.0.254/24")
# Commands of the LXC host's Debian packages (tests/deploy/install_packages.sh installs them).
REQUIRED_COMMANDS = ("lxc-create", "lxcfs")


def lxc_settings(known_hosts: Path) -> LxcSettings:
    return LxcSettings(
        lxc_path=LXC_PATH, bridge=BRIDGE, gateway=GATEWAY, base=BASE, known_hosts=known_hosts
    )


def prepare_lxc_provider(work_dir: Path) -> LxcProvider:
    """The provider of the tests, with its bridge up and its base made (made by the first
    pytest process of the machine that needs it, kept for every later one)."""
    if not all(shutil.which(command) for command in REQUIRED_COMMANDS):
        installer = Path(__file__).parents[1] / "deploy" / "install_packages.sh"
        subprocess.run(["bash", str(installer)], check=True)
    provider = LxcProvider(lxc_settings(work_dir / "known_hosts"))
    with locked(BASE_LOCK):
        if not (LXC_PATH / BASE / "nocode-base").exists():
            request = MachineRequest(
                name=_WARMUP,
                kind="lxc",
                resources=Resources(cores=1, memory=256, disk=1),
                ssh_public_key="",
                vm_id=0,
                address=_WARMUP_ADDRESS,
            )
            try:
                provider.provision(request)
            finally:
                provider.destroy(_WARMUP)
    return provider


def leftovers(name: str) -> list[str]:
    """What the host still has of container `name`: the container, mounts, loop devices, its
    disk image. Empty once it is destroyed."""
    found = []
    listed = subprocess.run(
        ["lxc-ls", "-P", str(LXC_PATH), "-1"], capture_output=True, text=True, check=True
    ).stdout.split()
    if name in listed:
        found.append(f"container {name}")
    container_dir = LXC_PATH / name
    found += [
        f"mount {line.split()[1]}"
        for line in Path("/proc/mounts").read_text().splitlines()
        if line.split()[1].startswith(f"{container_dir}/") or line.split()[1] == str(container_dir)
    ]
    image = LXC_PATH / ".disks" / f"{name}.ext4"
    loops = subprocess.run(
        ["losetup", "-n", "-O", "NAME,BACK-FILE"], capture_output=True, text=True, check=True
    ).stdout
    found += [f"loop {line}" for line in loops.splitlines() if str(image) in line]
    found += [f"file {path}" for path in (image, container_dir) if path.exists()]
    return found
