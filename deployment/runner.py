"""Runs the playbooks of ansible/ through ansible-runner, with a clean environment.

ansible-runner hands the playbook its whole environment and reports it in its `starting`
status and `command` artifact; this module gives it only what Ansible needs, so that no
secret of the calling process (a control plane's DATABASE_URL, say) reaches a log.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from ansible_runner import Runner, RunnerConfig

from deployment.record import Recorder
from generator.resources import ansible_dir

# Inherited variables Ansible and ssh need; everything else of the caller stays out.
_INHERITED = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SSH_AUTH_SOCK", "USER", "LOGNAME")


@dataclass(frozen=True)
class Connection:
    known_hosts: Path
    key_file: Path | None = None


def ssh_options(connection: Connection, connect_timeout: int = 10) -> list[str]:
    """ssh's `-o` options for a target: its host key checked against nocode's known_hosts
    (trust on first use), only the given key offered."""
    options = [
        f"UserKnownHostsFile={connection.known_hosts}",
        "StrictHostKeyChecking=accept-new",
        "ServerAliveInterval=15",
        f"ConnectTimeout={connect_timeout}",
    ]
    if connection.key_file is not None:
        options.append("IdentitiesOnly=yes")
    return options


def _ssh_args(connection: Connection, control_dir: str) -> str:
    options = [
        "ControlMaster=auto",
        "ControlPersist=60s",
        f"ControlPath={control_dir}/%C",
        *ssh_options(connection),
    ]
    return " ".join(f"-o {shlex.quote(option)}" for option in options)


def _clean_environment(prepared: dict[str, str], added: dict[str, str]) -> dict[str, str]:
    """The runner's own settings and ours, plus the few inherited variables on the list."""
    inherited = {name: os.environ[name] for name in _INHERITED if name in os.environ}
    runner_own = {
        name: value
        for name, value in prepared.items()
        if name not in os.environ or os.environ[name] != value
    }
    return {**inherited, **runner_own, **added}


def run_playbook(
    playbook: str,
    inventory: str | dict[str, object],
    extravars: dict[str, object],
    connection: Connection,
    recorder: Recorder,
) -> int:
    """Run `playbook` to the end; events go to `recorder`. Returns the playbook's exit code."""
    connection.known_hosts.parent.mkdir(parents=True, exist_ok=True)
    connection.known_hosts.touch(mode=0o600, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix="nocode-run-") as private,
        # ssh's control sockets need a short path (108 bytes at most).
        tempfile.TemporaryDirectory(prefix="nc-", dir="/tmp") as control,
    ):
        if not isinstance(inventory, str):
            written = Path(private, "inventory.yml")
            written.write_text(yaml.safe_dump(inventory), encoding="utf-8")
            inventory = str(written)
        # Variables go in a file, not on the command line that `ps` and the runner's
        # `starting` status show: a database URL among them is a secret.
        variables = Path(private, "env", "extravars")
        variables.parent.mkdir()
        variables.touch(mode=0o600)
        variables.write_text(json.dumps(extravars), encoding="utf-8")
        config = RunnerConfig(
            private_data_dir=private,
            project_dir=str(ansible_dir()),
            playbook=playbook,
            inventory=inventory,
            quiet=True,
            suppress_env_files=True,
        )
        config.prepare()
        config.env = _clean_environment(
            dict(config.env),
            {
                # ansible-playbook is installed beside this Python, on PATH or not.
                "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
                "ANSIBLE_CONFIG": str(ansible_dir() / "ansible.cfg"),
                "ANSIBLE_HOST_KEY_CHECKING": "True",
                "ANSIBLE_SSH_ARGS": _ssh_args(connection, control),
                "ANSIBLE_NOCOLOR": "1",
            },
        )
        runner = Runner(config=config, event_handler=recorder.handle)
        runner.run()
        recorder.finish()
        if recorder.failure is None and runner.rc != 0:
            recorder.stopped(_last_lines(runner.stdout.read()))
        status: Any = runner.rc
        return int(status if status is not None else 1)


def _last_lines(output: str, count: int = 5) -> str:
    """What ansible-playbook printed last: its reason for stopping before any task failed."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    return " ".join(lines[-count:]) or "ansible-playbook stopped without a message"
