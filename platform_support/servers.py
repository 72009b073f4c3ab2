"""Supervising a server (`python -m app serve`, granian): it runs in a process group of
its own, so that Ctrl+C reaches only us and we stop it whole; its workers are respawned
by the server itself (granian's respawn_failed_workers); it stopping by itself is a
failure; and when it ends, however it ends, no process of its group is left behind.
"""

from __future__ import annotations

import errno
import os
import signal
import socket
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path

from platform_support.errors import UserError

# SIGTERM lets the server finish the requests in flight (and the control plane's running
# jobs, 30 s); past this, its group is killed: granian can hang on its way out when a
# signal meets its workers' exits, and the caller must get to stop its PostgreSQL.
STOP_SECONDS = 45


class PortTaken(UserError):
    code = "PORT_IN_USE"


class ServerStopped(UserError):
    """The server exited while nobody asked it to."""

    code = "SERVER_STOPPED"


def refuse_a_taken_port(host: str, port: int) -> None:
    """Raise if another program listens on host:port (our servers bind with SO_REUSEPORT,
    so they would start there and share the requests)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise PortTaken(f"{host}:{port} is already in use by another program") from None


def exit_reason(returncode: int) -> str:
    """`exit status 1`, or `killed by SIGKILL` for a process a signal ended."""
    if returncode < 0:
        return f"killed by {signal.Signals(-returncode).name}"
    return f"exit status {returncode}"


@contextmanager
def server_group(
    command: Sequence[str], *, cwd: Path | None = None, env: Mapping[str, str] | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """Start `command` as the leader of a new process group; on exit, stop it (SIGTERM to
    the group, SIGKILL past STOP_SECONDS) and kill what is left of the group:
    the workers of a server killed -9 would keep the port and serve on."""
    server = subprocess.Popen(list(command), cwd=cwd, env=env, process_group=0)
    try:
        yield server
    finally:
        _stop(server)


def _stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        # The whole group: a worker still starting misses the server's own SIGTERM, and
        # the server then waits for it forever.
        with suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        with suppress(subprocess.TimeoutExpired, KeyboardInterrupt):  # a second Ctrl+C
            server.wait(timeout=STOP_SECONDS)
    with suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGKILL)
    server.wait()


def serve_until_interrupted(server: subprocess.Popen[bytes], name: str) -> None:
    """Wait while `server` serves; return on Ctrl+C (or SIGTERM made KeyboardInterrupt).
    A server that stops by itself failed (killed, or its workers crash in a loop)."""
    try:
        returncode = server.wait()
    except KeyboardInterrupt:
        return
    raise ServerStopped(f"{name} stopped ({exit_reason(returncode)})")
