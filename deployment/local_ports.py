"""Ports of the local target's instances, claimed machine-wide.

Several deployments may choose a port at once (a control plane's worker runs jobs side by
side; two control planes or data folders may share a machine). Checking that a port is
free is not enough: the first app may not listen yet when the second one looks. So a port
is claimed by creating a file named after it, atomically (O_EXCL), holding its owner: the
target root and the instance. A claim whose target root no longer exists is stale and
taken over; `remove_local` releases its instance's claims.
"""

from __future__ import annotations

import os
import socket
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

CLAIMS = Path(tempfile.gettempdir()) / "nocode-local-ports"


def claim_port(target_root: Path, instance: str, candidates: Iterable[int]) -> int | None:
    """The first of `candidates` this instance holds already, or could claim with nothing
    listening on it; None when every one is taken."""
    owner = _owner(target_root, instance)
    _claims_folder()
    for port in candidates:
        claim = CLAIMS / str(port)
        held = _claim(claim, owner)
        if held == "before":  # its own app may listen there
            return port
        if held == "now":
            if _bindable(port):
                return port
            claim.unlink(missing_ok=True)  # something outside our claims listens
    return None


def release_ports(target_root: Path, instance: str) -> None:
    """Give back the ports the instance claimed."""
    owner = _owner(target_root, instance)
    for claim in CLAIMS.glob("*"):
        if _read(claim) == owner:
            claim.unlink(missing_ok=True)


def _owner(target_root: Path, instance: str) -> str:
    return f"{target_root.resolve()}\n{instance}"


def _claims_folder() -> None:
    """World-writable and sticky, as /tmp: an instance deployed by another user claims too."""
    if not CLAIMS.is_dir():
        CLAIMS.mkdir(exist_ok=True)
        CLAIMS.chmod(0o1777)


def _claim(claim: Path, owner: str) -> Literal["now", "before"] | None:
    """Whether `owner` claimed the port now, held it before, or cannot have it."""
    for _ in range(2):  # a second try after taking over a stale claim
        try:
            descriptor = os.open(claim, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            held = _read(claim)
            if held == owner:
                return "before"
            if held is not None and Path(held.split("\n", 1)[0]).exists():
                return None
            claim.unlink(missing_ok=True)  # its target is gone
            continue
        with os.fdopen(descriptor, "w") as file:
            file.write(owner)
        return "now"
    return None


def _read(claim: Path) -> str | None:
    try:
        return claim.read_text()
    except (FileNotFoundError, PermissionError):
        return None


def _bindable(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True
