"""The local target: apps deployed onto this machine, with no root rights (docs/deploy.md,
"Local target"). The control plane deploys there an environment no SSH target serves.

The steps are the SSH role's (ansible/roles/nocode_app), with the same names, recorded by the
same Recorder: Build, Validation, Database, Backup, Code Deployment, Database Migration,
Switch, Health Checks, Rollback on a failure after Validation, Clean up. A release runs with
this interpreter, as `nocode run` runs an app (nocode's dependencies include the app's),
under the target's supervisor (deployment.local_supervisor), so it outlives the deployer.
The steps themselves are deployment.local_run's.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from deployment import local_postgres as postgres
from deployment import local_supervisor as supervisor
from deployment.artifact import Release, project_at, resolve_commit
from deployment.deploy import Deployment
from deployment.errors import INVALID_CONFIGURATION, DeployError
from deployment.local_layout import INSTALLED, Instance, Target, local_url
from deployment.local_ports import release_ports
from deployment.local_run import LocalRun, start_target
from deployment.local_tasks import Tasks
from deployment.record import Listener, Recorder

__all__ = ["deploy_local", "local_url", "remove_local", "rollback_local"]


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
    with target.locked(place.name):  # one deployment of an instance at a time
        with recorder.controller_step("Build") as build:
            release = _build(app_dir, place, commit)
            build.details = f"release {release.name} in {place.releases}"
        record = Deployment("deploy", release.app, release, recorder, build.started_at)
        run = LocalRun(place, release.name, Tasks(recorder), port, health_deadline)
        record.exit_code = run.deploy(jwt_secret)
        run.tasks.finish()
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
        last = place.settings()  # of the deployment in service
        port, deadline = last.get("port", 0), last.get("health_deadline", 60)
        run = LocalRun(place, current, Tasks(recorder), port, deadline)
        record.exit_code = run.rollback()
        run.tasks.finish()
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
            start_target(target, place)
            postgres.drop_database(place)
        with target.locked():
            shutil.rmtree(place.folder, ignore_errors=True)
            for log in target.logs.glob(f"{place.name}.log*"):  # and its rotated ones
                log.unlink()
            if not any(target.instances.glob("*")):
                supervisor.shutdown(target)
                shutil.rmtree(target.run, ignore_errors=True)  # may be a folder under /tmp
    release_ports(target_root, instance)


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
    if not (folder / INSTALLED).exists():
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
