"""One short command on a target over SSH, outside Ansible: what the control plane reads
of a target's resources. The same host-key rules as a deployment (runner.ssh_options)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from deployment.inventory import Target
from deployment.runner import Connection, ssh_options


class RemoteError(Exception):
    """The target could not be reached, or the command failed: the reason, for people."""


@contextmanager
def key_file(key: str) -> Iterator[Path]:
    """A private key in a 0600 file for the time of a connection, removed after."""
    descriptor, name = tempfile.mkstemp(prefix="nocode-key-")  # made 0600
    path = Path(name)
    try:
        with os.fdopen(descriptor, "w") as file:
            file.write(key)
        yield path
    finally:
        path.unlink(missing_ok=True)


async def run_command(
    target: Target, connection: Connection, command: str, timeout_seconds: float
) -> str:
    """`command`'s output on `target`; RemoteError if it cannot be had within the time."""
    connection.known_hosts.parent.mkdir(parents=True, exist_ok=True)
    options = [f"-o{option}" for option in ssh_options(connection, int(timeout_seconds) or 1)]
    if connection.key_file is not None:
        options += ["-i", str(connection.key_file)]
    process = await asyncio.create_subprocess_exec(
        *("ssh", "-o", "BatchMode=yes", *options, "-p", str(target.port)),
        *("-l", target.user, "--", target.address, command),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        async with asyncio.timeout(timeout_seconds):
            output, errors = await process.communicate()
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()
        raise RemoteError(f"no answer within {timeout_seconds:g} s") from None
    if process.returncode != 0:
        reason = errors.decode(errors="replace").strip().splitlines()
        raise RemoteError(reason[-1] if reason else f"ssh exited with {process.returncode}")
    return output.decode(errors="replace")
