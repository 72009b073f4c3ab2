"""`deploy()` and `rollback()`: a release to hosts, or back to the previous one."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Literal

from deployment.artifact import MACHINE, Release, build_release
from deployment.errors import INVALID_CONFIGURATION, MESSAGES, DeployError
from deployment.inventory import Target, inventory_for, read_inventory
from deployment.record import Listener, Recorder, human_duration, named_code
from deployment.runner import Connection, run_playbook

DeploymentAction = Literal["deploy", "rollback"]
Outcome = Literal["success", "failed"]


@dataclass(frozen=True)
class Hosts:
    """Where to deploy: targets given one by one, or an inventory file."""

    targets: tuple[Target, ...] = ()
    inventory_file: Path | None = None
    key_file: Path | None = None

    def inventory(self) -> str | dict[str, object]:
        if self.inventory_file is not None:
            read_inventory(self.inventory_file)
            return str(self.inventory_file)
        if not self.targets:
            raise DeployError(INVALID_CONFIGURATION, "give --host or --inventory")
        if self.key_file is not None and not self.key_file.is_file():
            raise DeployError(INVALID_CONFIGURATION, f"--key: {self.key_file} is not a file")
        return inventory_for(list(self.targets), self.key_file)

    def variables(self) -> dict[str, object]:
        """--key applies to every host of an inventory file too."""
        if self.inventory_file is None or self.key_file is None:
            return {}
        return {"ansible_ssh_private_key_file": str(self.key_file)}


@dataclass(frozen=True)
class Settings:
    """How the app runs on its hosts (the role's nocode_app_* variables)."""

    port: int = 8000
    root: str = ""  # where the app lives on the hosts; empty: /srv/nocode/<app>
    workers: int = 2
    health_deadline: int = 60
    batch_size: int = 1
    database_url: str = field(default="", repr=False)  # a secret: never logged
    jwt_secret: str = field(default="", repr=False)  # the app's token key; empty: the host's own

    def extravars(self) -> dict[str, object]:
        where = {"nocode_app_root": self.root} if self.root else {}
        return {
            **where,
            "nocode_app_port": self.port,
            "nocode_app_workers": self.workers,
            "nocode_app_health_deadline": self.health_deadline,
            "nocode_batch_size": self.batch_size,
            "nocode_app_database_url": self.database_url,
            "nocode_app_jwt_secret": self.jwt_secret,
        }


@dataclass
class Deployment:
    """The record of one run: what the control plane stores as a deployment log."""

    action: DeploymentAction
    app: str
    release: Release | None
    recorder: Recorder
    created_at: datetime
    completed_at: datetime | None = None
    exit_code: int | None = None

    @property
    def status(self) -> Outcome:
        return "success" if self.exit_code == 0 and self.recorder.failure is None else "failed"

    @property
    def hosts(self) -> list[str]:
        return sorted(self.recorder.stats)

    @property
    def error_code(self) -> str | None:
        if self.status == "success":
            return None
        failure = self.recorder.failure
        if failure is None:
            return INVALID_CONFIGURATION
        # The rollback names a cause the failed task could not see, such as a full disk.
        return named_code(self.recorder.rollback_report) or failure.code

    @property
    def error_message(self) -> str | None:
        if self.status == "success":
            return None
        failure = self.recorder.failure
        if failure is None:
            return "the playbook stopped before any step ran"
        rolled = f" ({self.recorder.rollback_report})" if self.recorder.rollback_report else ""
        return f"{failure.host}: step {failure.step} failed: {failure.message}{rolled}"

    @property
    def seconds(self) -> float:
        return ((self.completed_at or datetime.now(UTC)) - self.created_at).total_seconds()

    def as_dict(self) -> dict[str, object]:
        end = self.completed_at or datetime.now(UTC)
        return {
            "action": self.action,
            "app": self.app,
            "status": self.status,
            "version": self.release.version if self.release else None,
            "release": self.release.name if self.release else None,
            "commit": self.release.commit if self.release else None,
            "hosts": self.hosts,
            "created_at": self.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "completed_at": end.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "duration": human_duration(self.seconds),
            "changed": self.recorder.changed,
            "steps": [step.as_dict() for step in self.recorder.steps],
            "logs": [line.as_dict() for line in self.recorder.logs],
            "error_code": self.error_code,
            "error_message": self.error_message,
            "error": MESSAGES.get(self.error_code or ""),
        }


def deploy(
    app_dir: Path,
    hosts: Hosts,
    connection: Connection,
    cache_dir: Path,
    *,
    settings: Settings | None = None,
    commit: str = "HEAD",
    python: str | None = None,
    listener: Listener | None = None,
) -> Deployment:
    """Build the release of `app_dir` at `commit` and deploy it; never raises for a failed
    run (the record says what failed), only DeployError for input that cannot start one."""
    settings = settings or Settings()
    inventory = hosts.inventory()
    recorder = Recorder(listener=listener)
    with recorder.controller_step("Build") as build:
        release = build_release(app_dir, cache_dir, commit=commit, python=python)
        build.details = f"release {release.name} ({release.archive.stat().st_size // 1024} KiB)"
    record = Deployment("deploy", release.app, release, recorder, build.started_at)
    extravars = {
        **settings.extravars(),
        **hosts.variables(),
        "nocode_app_name": release.app,
        "nocode_app_release": release.name,
        "nocode_app_artifact": str(release.archive),
        "nocode_app_python": release.python,
        "nocode_app_machine": MACHINE,
        "nocode_app_version": version("nocode"),
    }
    record.exit_code = run_playbook("deploy.yml", inventory, extravars, connection, recorder)
    record.completed_at = datetime.now(UTC)
    return record


def rollback(
    app: str,
    hosts: Hosts,
    connection: Connection,
    *,
    settings: Settings | None = None,
    listener: Listener | None = None,
) -> Deployment:
    """Put the previous release back in service on every host."""
    settings = settings or Settings()
    recorder = Recorder(listener=listener)
    record = Deployment("rollback", app, None, recorder, datetime.now(UTC))
    extravars = {**settings.extravars(), **hosts.variables(), "nocode_app_name": app}
    record.exit_code = run_playbook(
        "rollback.yml", hosts.inventory(), extravars, connection, recorder
    )
    record.completed_at = datetime.now(UTC)
    return record
