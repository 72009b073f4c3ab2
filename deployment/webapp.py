"""`deploy_webapp()`: a Flask, FastAPI or Django repository at one commit onto hosts.

The release is built on the controller as a nocode app's is (deployment.artifact: the files
at the commit and the wheels, the framework's server among them); ansible/deploy_webapp.yml
installs it beside the previous ones, runs it under supervisor, checks it and rolls back.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from deployment.artifact import (
    APP_NAME,
    MACHINE,
    Release,
    package,
    resolve_commit,
    target_python,
)
from deployment.deploy import Deployment, Hosts
from deployment.errors import INVALID_CONFIGURATION, DeployError
from deployment.frameworks import (
    Framework,
    check,
    find_framework,
    release_command,
    requirements,
    start_command,
)
from deployment.record import Listener, Recorder
from deployment.runner import Connection, run_playbook


def app_name(repository: Path) -> str:
    """A repository's name as an app name: `My-Site` gives `my_site`."""
    name = re.sub(r"[^a-z0-9_]+", "_", repository.name.lower()).strip("_")[:40]
    return name if APP_NAME.match(name) else f"app_{name}"[:40]


def build_webapp(
    repository: Path, row: Framework, cache_dir: Path, commit: str, python: str | None
) -> Release:
    """The release of `repository` at `commit`: its requirements and the framework's server,
    downloaded once per commit and Python into `cache_dir`."""
    python = target_python(python)
    sha = resolve_commit(repository, commit)
    check(row.key, repository, sha)
    release = Release(
        app=row.key,
        version="",
        commit=sha,
        python=python,
        archive=cache_dir / f"{row.key}-{sha[:12]}-py{python}.tar.gz",
    )
    # pip's wheel too: the hosts install from it, faster than a virtualenv's own pip is made.
    return package(repository, release, [*requirements(repository, sha), row.server], ("pip",))


def deploy_webapp(
    repository: Path,
    framework: str,
    hosts: Hosts,
    connection: Connection,
    cache_dir: Path,
    *,
    commit: str = "HEAD",
    port: int | None = None,
    health_deadline: int = 60,
    listener: Listener | None = None,
    name: str | None = None,
    root: str = "",
    python: str | None = None,
) -> Deployment:
    """Build and deploy `repository` at `commit` as a `framework` app named `name` (the
    repository's by default) into `root` (/srv/nocode/<name> by default). Never raises for a
    failed run (the record says what failed), only DeployError for input that cannot start
    one: an unknown framework, a repository not of that framework, wheels not found."""
    name = name or app_name(repository)
    if not APP_NAME.match(name):
        raise DeployError(INVALID_CONFIGURATION, f"{name!r} is not an app name")
    inventory = hosts.inventory()
    recorder = Recorder(listener=listener)
    with recorder.controller_step("Build") as build:
        row = _webapp_framework(framework)
        release = build_webapp(repository, row, cache_dir, commit, python)
        port = port or row.port
        start = start_command(row, repository, release.commit, port)
        run_once = release_command(row, repository, release.commit)
        size = release.archive.stat().st_size // 1024
        build.details = f"release {release.name} ({size} KiB): {start}"
    record = Deployment("deploy", name, release, recorder, build.started_at)
    where = {"nocode_webapp_root": root} if root else {}
    extravars = {
        **where,
        **hosts.variables(),
        "nocode_webapp_name": name,
        "nocode_webapp_framework": row.key,
        "nocode_webapp_release": release.name,
        "nocode_webapp_artifact": str(release.archive),
        "nocode_webapp_python": release.python,
        "nocode_webapp_machine": MACHINE,
        "nocode_webapp_port": port,
        "nocode_webapp_start_cmd": start,
        "nocode_webapp_release_cmd": run_once,
        "nocode_webapp_health_path": row.health_path,
        "nocode_webapp_health_deadline": health_deadline,
        "nocode_webapp_version": version("nocode"),
    }
    record.exit_code = run_playbook("deploy_webapp.yml", inventory, extravars, connection, recorder)
    record.completed_at = datetime.now(UTC)
    return record


def _webapp_framework(key: str) -> Framework:
    row = find_framework(key)
    if row.key == "nocode":
        raise DeployError(
            INVALID_CONFIGURATION, "nocode apps are deployed by deployment.deploy (nocode deploy)"
        )
    return row
