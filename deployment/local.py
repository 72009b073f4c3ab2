"""The local target: apps deployed onto this machine, with no root rights (docs/deploy.md,
"Local target"). The control plane deploys there an environment no SSH target serves.

The steps are the SSH role's (ansible/roles/nocode_app), with the same names, recorded by the
same Recorder: Build, Validation, Database, Backup, Code Deployment, Database Migration,
Switch, Health Checks, Rollback on a failure after Validation, Clean up. A release runs with
this interpreter, as `nocode run` runs an app (nocode's dependencies include the app's),
under the target's supervisor (deployment.local_supervisor), so it outlives the deployer.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from deployment import local_postgres as postgres
from deployment import local_supervisor as supervisor
from deployment.artifact import Release, project_at, resolve_commit
from deployment.deploy import Deployment
from deployment.errors import INVALID_CONFIGURATION, DeployError
from deployment.local_layout import Instance, Target
from deployment.local_tasks import TaskError, TaskFailed, Tasks
from deployment.record import Listener, Recorder
from platform_support.servers import PortTaken, refuse_a_taken_port

KEEP_RELEASES = 5
KEEP_BACKUPS = 5
MIN_FREE_MB = 512
_SECRET = re.compile(r"^[!#-&(-\[\]-~]{32,}$")  # printable, no quote or backslash: .env-safe
_DEPLOY_RECORD = ".nocode-deploy.json"  # in a release: what a rollback of it must undo
_INSTALLED = ".installed"


def local_url(port: int) -> str:
    return f"http://127.0.0.1:{port}"


def deploy_local(
    app_dir: Path,
    target_root: Path,
    instance: str,
    *,
    port: int,
    jwt_secret: str,
    commit: str = "HEAD",
    listener: Listener | None = None,
    health_deadline: int = 60,
) -> Deployment:
    """Deploy `app_dir` at `commit` as `instance` on the local target; never raises for a
    failed run (the record says what failed), only DeployError for input that cannot start
    one (a bad instance name or target root, a commit or app that cannot be built)."""
    target = _target(target_root)
    place = target.instance(instance)
    recorder = Recorder(listener=listener)
    build = recorder.begin("Build")
    with target.locked(place.name):  # one deployment of an instance at a time
        try:
            release = _build(app_dir, place, commit)
        except DeployError as error:
            recorder.end(build, "failed", str(error))
            raise
        recorder.end(build, "success", f"release {release.name} in {place.releases}")
        record = Deployment("deploy", release.app, release, recorder, build.started_at)
        run = _Run(place, release.name, Tasks(recorder), port, health_deadline)
        record.exit_code = run.deploy(jwt_secret)
        recorder.finish()
    record.completed_at = datetime.now(UTC)
    return record


def rollback_local(
    target_root: Path, instance: str, *, listener: Listener | None = None
) -> Deployment:
    """Put the instance's previous release back in service; restore the database from the
    backup taken before the current release if that release migrated it."""
    target = _target(target_root)
    place = target.instance(instance)
    recorder = Recorder(listener=listener)
    with target.locked(place.name):
        current = place.in_service()
        record = Deployment(
            "rollback", _app_name(place, current), None, recorder, datetime.now(UTC)
        )
        settings = place.settings()
        run = _Run(place, current, Tasks(recorder), settings.get("port", 0),
                   settings.get("health_deadline", 60))  # fmt: skip
        record.exit_code = run.rollback()
        recorder.finish()
    record.completed_at = datetime.now(UTC)
    return record


def remove_local(target_root: Path, instance: str) -> None:
    """Stop the instance and drop its data (database, role, releases, backups, log). The
    target's supervisor and PostgreSQL stop with the last instance."""
    target = _target(target_root)
    place = target.instance(instance)
    with target.locked(place.name):
        supervisor.remove(target, place)
        if (target.postgres / "PG_VERSION").exists():
            _start_target(target, place)
            postgres.drop_database(place)
        with target.locked():
            shutil.rmtree(place.folder, ignore_errors=True)
            place.log.unlink(missing_ok=True)
            if not any(target.instances.glob("*")):
                supervisor.shutdown(target)


def _target(target_root: Path) -> Target:
    if not target_root.is_absolute() or re.search(r"[\s%;]", str(target_root)):
        raise DeployError(
            INVALID_CONFIGURATION,
            f"target_root {str(target_root)!r}: an absolute path without spaces, % or ;",
        )
    return Target(target_root)


def _build(app_dir: Path, instance: Instance, commit: str) -> Release:
    """The release folder: the app's files at `commit` (`git archive`), once."""
    sha = resolve_commit(app_dir, commit)
    project = project_at(app_dir, sha)
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    # No archive to ship: the release is its folder, run by this interpreter.
    release = Release(str(project["name"]), str(project["version"]), sha, python, Path())
    folder = instance.release(release.name)
    if not (folder / _INSTALLED).exists():
        partial = folder.with_name(folder.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        archive = subprocess.run(
            ["git", "-C", str(app_dir), "archive", "--format=tar", sha],
            capture_output=True,
            check=True,
        )
        subprocess.run(["tar", "-x", "-C", str(partial)], input=archive.stdout, check=True)
        shutil.rmtree(folder, ignore_errors=True)
        partial.rename(folder)
    return replace(release, archive=folder)


def _app_name(instance: Instance, release: str) -> str:
    pyproject = instance.release(release) / "pyproject.toml"
    if not release or not pyproject.exists():
        return instance.name
    return str(tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["name"])


def _start_target(target: Target, instance: Instance) -> bool:
    """The target's supervisor and PostgreSQL, made and started unless they run. The
    instance's folder is made meanwhile: the target does not stop while it exists."""
    with target.locked():
        instance.folder.mkdir(parents=True, exist_ok=True)
        supervisor.configure(target)
        made = postgres.prepare_cluster(target)
        started = supervisor.start(target)
        changed = supervisor.apply(target, postgres.PROGRAM)
        if supervisor.state(target, postgres.PROGRAM) != "RUNNING":
            supervisor.run(target, postgres.PROGRAM)
        postgres.wait_ready(target)
        return made or started or changed


@dataclass
class _Run:
    """One deployment or rollback of an instance, task by task."""

    instance: Instance
    release: str  # the release to deploy; for a rollback, the one in service
    tasks: Tasks
    port: int
    health_deadline: int
    previous: str = ""
    backup: Path | None = None
    migrated: bool = False
    switched: bool = False
    _environment: dict[str, str] = field(default_factory=dict)

    @property
    def target(self) -> Target:
        return self.instance.target

    def deploy(self, jwt_secret: str) -> int:
        try:
            self._validate(jwt_secret)
        except TaskFailed:
            return 1
        try:
            self._install(jwt_secret)
            self._health_check("Health Checks")
        except TaskFailed:
            with suppress(TaskFailed):  # recorded: the failure, and the rollback's own
                self._roll_back()
            return 1
        self.tasks.run("Clean up | keep the last releases and backups", self._clean_up)
        return 0

    def rollback(self) -> int:
        try:
            self.tasks.run("Validation | find the release to go back to", self._read_record)
            self.tasks.run(
                "Validation | start the target's supervisor and PostgreSQL",
                lambda: _start_target(self.target, self.instance),
            )
            if self.migrated:
                self.tasks.run("Rollback | stop the release in service", self._stop)
                self._restore()
            self._activate("Rollback", self.previous)
            self._health_check("Health Checks")
        except TaskFailed:
            return 1
        return 0

    # Deployment steps

    def _validate(self, jwt_secret: str) -> None:
        self.tasks.run("Validation | check the deployment's settings",
                       lambda: self._check_settings(jwt_secret))  # fmt: skip
        self.previous = self.instance.in_service()
        self.tasks.run("Validation | check free disk space", self._check_free_space)
        self.tasks.run("Validation | check the port is free", self._check_port)

    def _install(self, jwt_secret: str) -> None:
        self.tasks.run(
            "Database | start the target's supervisor and PostgreSQL",
            lambda: _start_target(self.target, self.instance),
        )
        self.tasks.run(
            "Database | create the instance's role and database",
            lambda: postgres.prepare_database(self.instance, jwt_secret),
        )
        replacing = bool(self.previous) and self.previous != self.release
        if replacing:
            self.tasks.run("Backup | dump the database", self._dump)
        if self.previous != self.release:
            self.tasks.run("Code Deployment | install the release", self._install_release)
            self.tasks.run("Database Migration | apply the release's migrations", self._migrate)
        self._activate("Switch", self.release)
        self.switched = self.previous != self.release
        if self.switched:
            self.tasks.run("Switch | record what a rollback of this release must undo",
                           self._write_record)  # fmt: skip

    def _check_settings(self, jwt_secret: str) -> None:
        if not 1 <= self.port <= 65535 or self.health_deadline < 1:
            raise DeployError(
                INVALID_CONFIGURATION,
                f"DEPLOY_003: port {self.port}, health_deadline {self.health_deadline}",
            )
        if not _SECRET.match(jwt_secret):
            raise DeployError(
                INVALID_CONFIGURATION,
                "DEPLOY_003: jwt_secret: 32 printable characters at least, no quote or backslash",
            )

    def _check_free_space(self) -> None:
        folder = self.target.root
        while not folder.exists():
            folder = folder.parent
        free = shutil.disk_usage(folder).free // 2**20
        if free < MIN_FREE_MB:
            raise DeployError(
                INVALID_CONFIGURATION,
                f"DEPLOY_004: {free} MB free under {self.target.root}, {MIN_FREE_MB} MB needed",
            )

    def _check_port(self) -> None:
        """A port another program holds is refused, not the one the instance serves on."""
        if self.instance.settings().get("port") == self.port and self._serving():
            return
        try:
            refuse_a_taken_port("127.0.0.1", self.port)
        except PortTaken as error:
            raise DeployError(INVALID_CONFIGURATION, f"DEPLOY_003: {error}") from None

    def _serving(self) -> bool:
        return (
            supervisor.answering(self.target)
            and supervisor.state(self.target, self.instance.program) == "RUNNING"
        )

    def _dump(self) -> bool:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        self.backup = self.instance.backups / f"{stamp}-{self.previous}.dump"
        postgres.dump(self.instance, self.backup)
        return True

    def _install_release(self) -> bool:
        folder = self.instance.release(self.release)
        settings = folder / ".env"
        settings.unlink(missing_ok=True)
        settings.symlink_to(Path("..", "..", self.instance.env_file.name))
        (folder / _INSTALLED).write_text(self.release + "\n", encoding="utf-8")
        return True

    def _migrate(self) -> bool:
        done = subprocess.run(
            [sys.executable, "-m", "app", "migrate"],
            cwd=self.instance.release(self.release),
            env=supervisor.clean_environment(),
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise TaskError(
                f"migration failed (exit status {done.returncode})", done.stderr or done.stdout
            )
        self.migrated = "applied 0 migration" not in done.stdout
        return self.migrated

    def _activate(self, step: str, release: str) -> None:
        """Point the instance's program at `release` and start it; `current` follows."""

        def activate() -> bool:
            supervisor.write_app_program(self.instance, self.instance.release(release), self.port)
            changed = supervisor.apply(self.target, self.instance.program)
            started = supervisor.run(self.target, self.instance.program)
            if started != "RUNNING":
                raise RuntimeError(f"{release} does not stay up ({started}): {self._log_tail()}")
            link = self.instance.current.with_name("current.new")
            link.unlink(missing_ok=True)
            link.symlink_to(Path("releases", release))
            link.replace(self.instance.current)
            self.instance.keep_settings(port=self.port, health_deadline=self.health_deadline)
            return changed

        self.tasks.run(f"{step} | put {release} in service", activate)

    def _write_record(self) -> None:
        undo = {"previous": self.previous, "backup": str(self.backup or ""),
                "migrated": self.migrated}  # fmt: skip
        path = self.instance.release(self.release) / _DEPLOY_RECORD
        path.write_text(json.dumps(undo, indent=2) + "\n", encoding="utf-8")

    def _health_check(self, step: str) -> None:
        def answers() -> None:
            url = f"{local_url(self.port)}/health"
            deadline = time.monotonic() + self.health_deadline
            last = "no answer"
            while time.monotonic() < deadline:
                state = supervisor.state(self.target, self.instance.program)
                if state in ("FATAL", "EXITED", "STOPPED"):
                    raise RuntimeError(f"the app stopped ({state}): {self._log_tail()}")
                try:
                    with urllib.request.urlopen(url, timeout=5) as response:
                        if response.status == 200:
                            return
                        last = f"status {response.status}"
                except urllib.error.HTTPError as error:
                    last = f"status {error.code}: {error.read()[:300].decode(errors='replace')}"
                except OSError as error:
                    last = str(error)
                time.sleep(0.5)
            raise RuntimeError(
                f"DEPLOY_001: {url} did not answer 200 within {self.health_deadline}s ({last})"
            )

        self.tasks.run(f"{step} | wait for the health endpoint to answer", answers)

    def _clean_up(self) -> bool:
        kept = {self.release, self.previous}
        old = _oldest_first(self.instance.releases.glob("*"))[:-KEEP_RELEASES]
        old += _oldest_first(self.instance.backups.glob("*.dump"))[:-KEEP_BACKUPS]
        removed = [path for path in old if path.name not in kept]
        for path in removed:
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink()
        return bool(removed)

    # Rollback

    def _roll_back(self) -> None:
        back = bool(self.previous) and self.previous != self.release
        if self.switched or self.migrated:
            self.tasks.run("Rollback | stop the failed release", self._stop)
        if self.migrated and self.backup is not None:
            self._restore()
        if back and (self.switched or self.migrated):
            self._activate("Rollback", self.previous)
            self._health_check("Rollback")
        if not self.previous:
            self.tasks.run("Rollback | take a first release that never served out of service",
                           self._take_out)  # fmt: skip
        if self.previous != self.release:
            self.tasks.run(
                "Rollback | remove the failed release",
                lambda: shutil.rmtree(self.instance.release(self.release), ignore_errors=True),
            )
        restored = (
            f", database restored from {self.backup}" if self.migrated and self.backup else ""
        )
        back_to = (
            f"rolled back to {self.previous}"
            if self.previous
            else "no previous release to roll back to"
        )
        self.tasks.fail("Rollback | report", back_to + restored)

    def _stop(self) -> None:
        supervisor.stop(self.target, self.instance.program)

    def _restore(self) -> None:
        backup = self.backup
        assert backup is not None  # noqa: S101 callers check it
        self.tasks.run(f"Rollback | restore the database from {backup.name}",
                       lambda: postgres.restore(self.instance, backup))  # fmt: skip

    def _take_out(self) -> None:
        supervisor.remove(self.target, self.instance)
        self.instance.current.unlink(missing_ok=True)

    def _read_record(self) -> None:
        path = self.instance.release(self.release) / _DEPLOY_RECORD
        if not self.release or not path.exists():
            raise DeployError(
                INVALID_CONFIGURATION,
                f"DEPLOY_001: {self.instance.name} has no previous release to roll back to",
            )
        undo = json.loads(path.read_text(encoding="utf-8"))
        if not undo["previous"]:
            raise DeployError(
                INVALID_CONFIGURATION,
                f"DEPLOY_001: {self.instance.name} has no previous release to roll back to",
            )
        self.previous = undo["previous"]
        self.migrated = bool(undo["migrated"]) and bool(undo["backup"])
        self.backup = Path(undo["backup"]) if undo["backup"] else None

    def _log_tail(self) -> str:
        if not self.instance.log.exists():
            return "no output"
        lines = self.instance.log.read_text(encoding="utf-8", errors="replace").splitlines()
        return " ".join(lines[-3:])[:600]


def _oldest_first(paths: Iterable[Path]) -> list[Path]:
    return sorted(paths, key=lambda path: path.stat().st_mtime)
