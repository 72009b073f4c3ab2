"""The local target's supervisor: one supervisord for the whole target, started on demand as
a daemon (its own session), so that the apps outlive the process that deployed them; one
program per instance and one for the target's PostgreSQL, driven through its XML-RPC API.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import time
import xmlrpc.client
from pathlib import Path
from typing import Any

from supervisor.xmlrpc import SupervisorTransport

from deployment.local_layout import Instance, Target

# What the target's processes inherit from the deploying process: a control plane's own
# DATABASE_URL or JWT_SECRET must not reach an app, which would take them over its .env.
_INHERITED = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "USER", "LOGNAME")
_SETTLED = ("RUNNING", "FATAL", "EXITED", "STOPPED")

_CONFIGURATION = """\
; The supervisor of the local target {root}: its PostgreSQL and one program per instance.
[unix_http_server]
file={socket}
chmod=0700

[supervisord]
logfile={logs}/supervisord.log
pidfile={run}/supervisord.pid
childlogdir={logs}

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[include]
files = {programs}/*.ini
"""

_APP_PROGRAM = """\
[program:{name}]
command={command}
directory={directory}
autostart=true
autorestart=true
startsecs=1
startretries=10
; The server finishes the requests in flight on SIGTERM.
stopsignal=TERM
stopwaitsecs=30
stopasgroup=true
killasgroup=true
redirect_stderr=true
stdout_logfile={log}
stdout_logfile_maxbytes=10MB
stdout_logfile_backups=3
"""


class SupervisorError(Exception):
    pass


def clean_environment(**added: str) -> dict[str, str]:
    return {**{name: os.environ[name] for name in _INHERITED if name in os.environ}, **added}


def _client(target: Target) -> Any:
    transport = SupervisorTransport(None, None, f"unix://{target.supervisor_socket}")
    return xmlrpc.client.ServerProxy("http://127.0.0.1", transport=transport)


def answering(target: Target) -> bool:
    try:
        _client(target).supervisor.getState()
    except OSError:  # no socket, or nobody behind it
        return False
    return True


def configure(target: Target) -> None:
    """The target's folders and supervisord.conf."""
    for folder in (target.programs, target.logs):
        folder.mkdir(parents=True, exist_ok=True)
    target.run.mkdir(mode=0o700, parents=True, exist_ok=True)
    target.supervisor_conf.write_text(
        _CONFIGURATION.format(
            root=target.root,
            socket=target.supervisor_socket,
            logs=target.logs,
            run=target.run,
            programs=target.programs,
        ),
        encoding="utf-8",
    )


def start(target: Target) -> bool:
    """Start the target's supervisord (configured) unless it runs; True if it was started."""
    if answering(target):
        return False
    # supervisord forks into the background (a session of its own) and this one returns.
    started = subprocess.run(
        [sys.executable, "-m", "supervisor.supervisord", "-c", str(target.supervisor_conf)],
        cwd=target.root,
        env=clean_environment(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    if started.returncode != 0:
        raise SupervisorError(f"supervisord did not start: {started.stderr.strip()}")
    deadline = time.monotonic() + 30
    while not answering(target):
        if time.monotonic() > deadline:
            raise SupervisorError(f"supervisord does not answer (see {target.logs})")
        time.sleep(0.1)
    return True


def shutdown(target: Target) -> None:
    """Stop the supervisord and every program of the target."""
    if not answering(target):
        return
    pid = int((target.run / "supervisord.pid").read_text().strip())
    _client(target).supervisor.shutdown()
    deadline = time.monotonic() + 90
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def write_app_program(instance: Instance, release: Path, port: int) -> None:
    command = [sys.executable, "-m", "app", "serve", "--host", "127.0.0.1", "--port", str(port)]
    instance.program_file.write_text(
        _APP_PROGRAM.format(
            name=instance.program,
            command=shlex.join([*command, "--workers", "1"]),
            directory=release,
            log=instance.log,
        ),
        encoding="utf-8",
    )


def apply(target: Target, program: str) -> bool:
    """Make supervisord run `program` as its file now says: start it, restart it with its
    new settings, or stop and forget it when the file is gone. True if anything changed."""
    server = _client(target)
    added, changed, removed = server.supervisor.reloadConfig()[0]
    if program in changed or program in removed:
        stop(target, program)
        server.supervisor.removeProcessGroup(program)
    if program in added or program in changed:
        server.supervisor.addProcessGroup(program)  # autostart: it starts now
    return program in (*added, *changed, *removed)


def state(target: Target, program: str) -> str:
    """RUNNING, STARTING, BACKOFF, FATAL, STOPPED...; UNKNOWN for a program not loaded."""
    try:
        info = _client(target).supervisor.getProcessInfo(program)
    except xmlrpc.client.Fault:
        return "UNKNOWN"
    return str(info["statename"])


def run(target: Target, program: str, seconds: float = 30) -> str:
    """Start `program` unless it runs; wait until it settles; its state."""
    if state(target, program) in ("STOPPED", "EXITED", "FATAL"):
        _client(target).supervisor.startProcess(program, False)
    deadline = time.monotonic() + seconds
    while (current := state(target, program)) not in _SETTLED:
        if time.monotonic() > deadline:
            break
        time.sleep(0.1)
    return current


def stop(target: Target, program: str) -> None:
    try:
        _client(target).supervisor.stopProcess(program, True)
    except xmlrpc.client.Fault as fault:
        if "NOT_RUNNING" not in fault.faultString and "BAD_NAME" not in fault.faultString:
            raise


def remove(target: Target, instance: Instance) -> None:
    """Stop the instance's program and take it out of the supervisor."""
    instance.program_file.unlink(missing_ok=True)
    if answering(target):
        apply(target, instance.program)
