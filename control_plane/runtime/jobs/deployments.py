"""`runtime.deploy`: one deployment or rollback run of the ledger, onto the target of its
environment: the runtime_targets row listing it (SSH, `deployment.deploy`), else this
machine (`deployment.local`). The deployment runs in a thread, its steps and log lines
written into the run as they happen (runs.services.deployment_events); its outcome sets
the run's status, the app's status and, on success, the instance and a release tag in the
app's repository.

A deployment is never repeated behind its author's back. A worker that dies mid-run (kill
-9, a lost machine) leaves the run readable up to its last step; the queue's recovery gives
the job a second attempt, which only marks the run failed (what the first one did is not
known), so that the app can be deployed again or the run retried.
"""

from __future__ import annotations

import asyncio
import subprocess
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from psycopg import AsyncConnection

from control_plane import events
from control_plane.config import Settings, get_settings, vault_of
from control_plane.jobs import JobContext, registry
from control_plane.runs.models import RunKind, RunStatus
from control_plane.runs.services import ledger
from control_plane.runs.services.deployment_events import LedgerListener
from control_plane.runtime import paths
from control_plane.runtime.queries import deployments, instances, targets
from control_plane.runtime.queries.deployments import Deployment
from control_plane.runtime.queries.targets import Credentials
from deployment.deploy import Deployment as Record
from deployment.deploy import Hosts
from deployment.deploy import Settings as HostSettings
from deployment.deploy import deploy as deploy_over_ssh
from deployment.deploy import rollback as rollback_over_ssh
from deployment.errors import (
    INSUFFICIENT_RESOURCES,
    INVALID_CONFIGURATION,
    NOT_DEPLOYABLE,
    DeployError,
)
from deployment.inventory import Target
from deployment.local import deploy_local, local_url, rollback_local
from deployment.local_ports import claim_port
from deployment.record import Listener
from deployment.remote import key_file
from deployment.runner import Connection
from platform_support.vault import VaultError

Conn = AsyncConnection[Any]
LOCAL_PORTS = range(20000, 30000)


@dataclass(frozen=True)
class LocalPlace:
    """An instance on this machine (deployment.local), on a port of its own."""

    target_root: Path
    instance: str
    port: int
    health_deadline: int

    @property
    def url(self) -> str:
        return local_url(self.port)

    def deploy(self, repository: Path, commit: str, secret: str, listener: Listener) -> Record:
        return deploy_local(
            repository,
            self.target_root,
            self.instance,
            port=self.port,
            jwt_secret=secret,
            commit=commit,
            listener=listener,
            health_deadline=self.health_deadline,
        )

    def rollback(self, app: str, listener: Listener) -> Record:
        del app  # the local target knows its instance's app
        return rollback_local(self.target_root, self.instance, listener=listener)


@dataclass(frozen=True)
class SshPlace:
    """An instance on an SSH target, in <apps_root>/<instance>, its key in a 0600 file for
    the time of the run."""

    target: Credentials
    key: str
    instance: str
    known_hosts: Path
    cache: Path
    health_deadline: int

    @property
    def url(self) -> str:
        host = f"[{self.target.host}]" if ":" in self.target.host else self.target.host
        return f"http://{host}:{self.target.app_port}"

    def _settings(self, secret: str = "") -> HostSettings:
        root = f"{self.target.apps_root.rstrip('/')}/{self.instance}"
        return HostSettings(
            port=self.target.app_port,
            root=root,
            health_deadline=self.health_deadline,
            jwt_secret=secret,
        )

    @contextmanager
    def _connected(self) -> Iterator[tuple[Hosts, Connection]]:
        with key_file(self.key) as key:
            host = Target(self.target.username, self.target.host, self.target.port)
            yield (
                Hosts(targets=(host,), key_file=key),
                Connection(known_hosts=self.known_hosts, key_file=key),
            )

    def deploy(self, repository: Path, commit: str, secret: str, listener: Listener) -> Record:
        with self._connected() as (hosts, connection):
            return deploy_over_ssh(
                repository,
                hosts,
                connection,
                self.cache,
                settings=self._settings(secret),
                commit=commit,
                listener=listener,
            )

    def rollback(self, app: str, listener: Listener) -> Record:
        with self._connected() as (hosts, connection):
            return rollback_over_ssh(
                app, hosts, connection, settings=self._settings(), listener=listener
            )


Place = LocalPlace | SshPlace


def _instance_name(deployment: Deployment) -> str:
    return paths.instance_name(deployment.app_id, deployment.environment)


async def _free_local_port(connection: Conn, deployment: Deployment, target_root: Path) -> int:
    """The instance's port if it has one on this machine, else the first of LOCAL_PORTS no
    instance of this control plane has, claimed machine-wide (deployment.local_ports).
    Below Linux's ephemeral ports (32768 on), so that no outgoing connection takes it
    between deployments."""
    instance = await instances.one(connection, deployment.app_id, deployment.environment)
    given = await instances.local_ports(connection)
    own = [instance.local_port] if instance is not None and instance.local_port else []
    candidates = [*own, *(port for port in LOCAL_PORTS if port not in given)]
    name = _instance_name(deployment)
    port = await asyncio.to_thread(claim_port, target_root, name, candidates)
    if port is None:
        raise DeployError(INSUFFICIENT_RESOURCES, f"no free port left in {LOCAL_PORTS}")
    return port


async def _place(connection: Conn, settings: Settings, deployment: Deployment) -> Place:
    if deployment.target_id is None:
        target_root = paths.local_target_dir(settings.data_dir.resolve())
        return LocalPlace(
            target_root,
            _instance_name(deployment),
            await _free_local_port(connection, deployment, target_root),
            settings.deploy_health_deadline,
        )
    target = await targets.credentials(connection, deployment.target_id)
    if target is None or target.private_key is None:
        raise DeployError(INVALID_CONFIGURATION, "the target was deleted, or has no key")
    vault = vault_of(settings)
    return SshPlace(
        target,
        vault.decrypt(target.private_key),
        _instance_name(deployment),
        paths.known_hosts(settings.data_dir, target.id),
        settings.data_dir / "releases",
        settings.deploy_health_deadline,
    )


def _tag_release(repository: Path, environment: str, record: Record) -> str:
    """Tag the deployed commit `release/<environment>/<version>-<commit>` (once)."""
    assert record.release is not None
    tag = f"release/{environment}/{record.release.name}"
    git = ["git", "-C", str(repository)]
    exists = subprocess.run([*git, "rev-parse", "--verify", "--quiet", f"refs/tags/{tag}"],
                            capture_output=True, check=False)  # fmt: skip
    if exists.returncode != 0:
        subprocess.run([*git, "tag", tag, record.release.commit], capture_output=True, check=True)
    return tag


async def _prepare(
    connection: Conn, settings: Settings, deployment: Deployment
) -> tuple[Place, Callable[[Listener], Record]]:
    """Where the run goes, and the blocking call that does it (given its listener)."""
    place = await _place(connection, settings, deployment)
    if deployment.kind is RunKind.ROLLBACK:
        serving = await deployments.latest(
            connection,
            deployment.app_id,
            deployment.environment,
            status=RunStatus.SUCCESS,
            kind=RunKind.DEPLOYMENT,
        )
        app_name = str(serving.details.get("app", "")) if serving else ""
        return place, partial(place.rollback, app_name)
    app = await deployments.app(connection, deployment.app_id)
    assert app is not None  # a run is deleted with its app
    secret = vault_of(settings).decrypt(app.jwt_secret)
    repository = paths.repository_dir(settings.data_dir.resolve(), deployment.app_id)
    return place, partial(place.deploy, repository, deployment.commit or "HEAD", secret)


async def _succeeded(
    connection: Conn, settings: Settings, deployment: Deployment, record: Record, place: Place
) -> None:
    details: dict[str, Any] = {
        "app": record.app,
        "url": place.url,
        "changed": record.recorder.changed,
    }
    serving_run = deployment.id
    if record.release is not None:
        repository = paths.repository_dir(settings.data_dir.resolve(), deployment.app_id)
        tag = await asyncio.to_thread(_tag_release, repository, deployment.environment, record)
        details |= {"release": record.release.name, "tag": tag}
        version: str | None = record.release.version
        commit: str | None = record.release.commit
    else:  # a rollback: the deployment before the one it replaced serves again
        instance = await instances.one(connection, deployment.app_id, deployment.environment)
        replaced = (
            await deployments.one(connection, instance.run_id)
            if instance and instance.run_id
            else None
        )
        previous = await deployments.previous_success(connection, replaced) if replaced else None
        version = previous.version if previous else None
        commit = previous.commit if previous else None
        serving_run = previous.id if previous else deployment.id
    local_port = place.port if isinstance(place, LocalPlace) else None
    async with connection.transaction():
        await deployments.set_version(connection, deployment.id, version, commit)
        await instances.upsert(
            connection,
            deployment.app_id,
            deployment.environment,
            deployment.target_id,
            place.url,
            local_port,
            serving_run,
        )
        await deployments.set_app_status(connection, deployment.app_id, "deployed")
        await ledger.finish_run(connection, deployment.id, RunStatus.SUCCESS, details=details)
        outcome = {"version": version, "commit": commit, "url": place.url}
        await _emit(connection, deployment, events.APP_DEPLOYED, outcome)


async def _failed(connection: Conn, deployment: Deployment, code: str, message: str) -> None:
    async with connection.transaction():
        await deployments.set_app_status(
            connection, deployment.app_id, "deployment_failed", f"{code}: {message}"
        )
        await ledger.finish_run(
            connection, deployment.id, RunStatus.FAILED, error_code=code, error_message=message
        )
        outcome = {"error_code": code, "error_message": message}
        await _emit(connection, deployment, events.APP_DEPLOYMENT_FAILED, outcome)


async def _emit(
    connection: Conn, deployment: Deployment, name: str, outcome: dict[str, Any]
) -> None:
    """The platform event of a deployment's outcome, in the transaction that records it."""
    app = await deployments.app(connection, deployment.app_id)
    if app is None:  # deleted meanwhile, with its runs: nothing happened to tell of
        return
    payload = {
        "app_id": str(app.id),
        "app_name": app.name,
        "project_id": str(app.project_id),
        "environment": deployment.environment,
        "deployment_id": str(deployment.id),
        "kind": deployment.kind.value,
        **outcome,
    }
    await events.emit(connection, app.organization_id, name, payload, project_id=app.project_id)


WORKER_LOST = "the worker running it stopped before it finished: retry it"


@registry.kind("runtime.deploy", max_attempts=2, timeout_seconds=3600, backoff_seconds=1)
async def deploy(context: JobContext) -> None:
    run_id = uuid.UUID(context.payload["run_id"])
    settings = get_settings()
    async with context.pool.connection() as connection:
        deployment = await deployments.one(connection, run_id)
        if deployment is None:  # deleted with its app meanwhile
            return
        if context.attempt > 1:  # the first attempt's worker died, or it failed already
            if not deployment.status.finished:
                await _failed(connection, deployment, NOT_DEPLOYABLE, WORKER_LOST)
            return
        await ledger.start_run(connection, run_id)
    listener = LedgerListener(context.pool, run_id)
    try:
        async with context.pool.connection() as connection:
            place, run = await _prepare(connection, settings, deployment)
        record = await asyncio.to_thread(run, listener)
    except (DeployError, VaultError) as error:
        code = error.code if isinstance(error, DeployError) else INVALID_CONFIGURATION
        async with context.pool.connection() as connection:
            await _failed(connection, deployment, code or INVALID_CONFIGURATION, str(error))
        return
    except BaseException as error:  # a bug, or the job cancelled or timed out
        async with context.pool.connection() as connection:
            await _failed(
                connection, deployment, NOT_DEPLOYABLE, f"interrupted: {type(error).__name__}"
            )
        raise
    async with context.pool.connection() as connection:
        if record.status == "success":
            await _succeeded(connection, settings, deployment, record, place)
        else:
            code, message = record.error_code or NOT_DEPLOYABLE, record.error_message or "failed"
            await _failed(connection, deployment, code, message)
