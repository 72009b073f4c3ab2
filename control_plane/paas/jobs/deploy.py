"""`paas.deploy`: one deployment of seed 002, from `pending` to `running` or `failed`.

Its run of the ledger records every step: `Source` (the repository cloned into the cache
at a commit, checked to be of its framework), the provider's `Provisioning | ...` steps
(the machine made with its resources, address and a key pair of its own), then the deploy
role's steps over SSH as root onto the machine. A failure after the machine was made
destroys it (`Deprovisioning | ...` steps), unless PAAS_KEEP_FAILED keeps it for
inspection.

A deployment is never repeated behind its author's back. A worker that dies mid-run (kill
-9, a lost machine) leaves the run readable up to its last step; the queue's recovery gives
the job a second attempt, which only marks the deployment failed, its machine (if any)
left as it is for a DELETE, since what the first attempt did is not known.
"""

from __future__ import annotations

import asyncio
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from control_plane.config import Settings, get_settings, vault_of
from control_plane.jobs import JobContext, registry
from control_plane.paas.models import DeploymentStatus, SourceKind
from control_plane.paas.queries import deployments
from control_plane.paas.queries.deployments import Deployment
from control_plane.paas.services import machines, sources
from control_plane.paas.services.rollout import Rollout
from control_plane.runs.models import RunStatus, StepStatus
from control_plane.runs.services import ledger
from control_plane.runs.services.deployment_events import LedgerListener
from control_plane.runtime.queries.deployments import app as runtime_app
from deployment.errors import INVALID_CONFIGURATION, NOT_DEPLOYABLE, DeployError
from deployment.frameworks import check as check_framework
from deployment.providers.base import Machine, MachineRequest, Provider, Resources
from platform_support.vault import VaultError

Pool = AsyncConnectionPool[AsyncConnection[Any]]
Result = TypeVar("Result")
WORKER_LOST = "the worker running it stopped before it finished: delete it and deploy again"
SOURCE_STEP = "Source"


class Failed(Exception):
    """The deployment failed: its message names the step and says why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


async def _step(pool: Pool, run_id: uuid.UUID, name: str, work: Callable[[], Result]) -> Result:
    """`work` (blocking, in a thread) as a step of the run of its own: its failure ends the
    step with the reason and raises Failed."""
    async with pool.connection() as connection:
        position = await ledger.begin_step(connection, run_id, name)
    try:
        result = await asyncio.to_thread(work)
    except DeployError as error:
        async with pool.connection() as connection:
            await ledger.end_step(
                connection, run_id, position, StepStatus.FAILED, details=str(error)
            )
            await ledger.log(
                connection, run_id, f"{name} failed: {error}", step=name, status="failed"
            )
        raise Failed(error.code or NOT_DEPLOYABLE, f"{name}: {error}") from None
    async with pool.connection() as connection:
        await ledger.end_step(connection, run_id, position, StepStatus.SUCCESS)
    return result


async def _secret(pool: Pool, settings: Settings, deployment: Deployment) -> str:
    """The generated app's token key: its Runtime app's, or one of its own, kept encrypted."""
    vault = vault_of(settings)
    if deployment.source_kind is SourceKind.APP and deployment.app_id is not None:
        async with pool.connection() as connection:
            app = await runtime_app(connection, deployment.app_id)
        if app is None:
            raise Failed(INVALID_CONFIGURATION, f"{SOURCE_STEP}: the app was deleted")
        return vault.decrypt(app.jwt_secret)
    if deployment.jwt_secret is not None:
        return vault.decrypt(deployment.jwt_secret)
    return secrets.token_urlsafe(48)


@dataclass
class Progress:
    """What a failure must undo: the machine, once its provider made it."""

    provider: Provider | None = None


async def _provision(
    pool: Pool,
    settings: Settings,
    deployment: Deployment,
    secret: str,
    run_id: uuid.UUID,
    progress: Progress,
) -> tuple[Machine, str]:
    """The machine, running with a key pair made for it; (the machine, its private key).
    The key and the app's token key are kept in the row, encrypted."""
    provider = machines.provider(settings, deployment.deployment_type)
    private, public = machines.key_pair()
    vault = vault_of(settings)
    gateway = machines.network(settings, deployment.deployment_type)
    async with pool.connection() as connection:
        await deployments.set_keys(
            connection, deployment.id, public, vault.encrypt(private), vault.encrypt(secret)
        )
        address = await machines.hold_address(
            connection, deployment.id, deployment.deployment_type, gateway
        )
    request = MachineRequest(
        name=deployment.machine_name,
        kind=deployment.deployment_type.value,
        resources=Resources(deployment.cores, deployment.memory, deployment.disk),
        ssh_public_key=public,
        vm_id=deployment.vm_id,
        address=address,
    )
    try:  # a provision that fails removes what it made (deployment.providers.base)
        machine = await asyncio.to_thread(provider.provision, request, LedgerListener(pool, run_id))
    except DeployError as error:
        raise Failed(error.code or NOT_DEPLOYABLE, f"Provisioning: {error}") from None
    progress.provider = provider
    async with pool.connection() as connection:
        await deployments.set_machine(connection, deployment.id, machine.vm_id, machine.ip_address)
    return machine, private


async def _fail(
    pool: Pool,
    settings: Settings,
    deployment: Deployment,
    run_id: uuid.UUID,
    failure: Failed,
    made_by: Provider | None,
    *,
    keep: bool = False,
) -> None:
    """Record the failure. A machine `made_by` a provider is destroyed unless `keep` or
    PAAS_KEEP_FAILED; without one, `keep` says that a machine may exist (its address
    stays held until a DELETE)."""
    kept = keep or (made_by is not None and settings.paas_keep_failed)
    message = str(failure)
    if made_by is not None and not kept:
        try:
            await asyncio.to_thread(
                made_by.destroy, deployment.machine_name, LedgerListener(pool, run_id)
            )
        except DeployError as error:
            kept = True
            message += f" (and the machine could not be destroyed: {error})"
    async with pool.connection() as connection, connection.transaction():
        await deployments.set_failed(connection, deployment.id, message, machine_kept=kept)
        await ledger.finish_run(
            connection, run_id, RunStatus.FAILED, error_code=failure.code, error_message=message
        )


async def _run(
    pool: Pool, settings: Settings, deployment: Deployment, run_id: uuid.UUID, progress: Progress
) -> None:
    """Source, machine, deployment, each failure raised as Failed."""
    repository, commit = await _step(
        pool, run_id, SOURCE_STEP, lambda: sources.fetch(settings, deployment)
    )
    async with pool.connection() as connection:
        await deployments.set_commit(connection, deployment.id, commit)
    framework = await _step(
        pool, run_id, "Framework", lambda: check_framework(deployment.framework, repository, commit)
    )
    secret = await _secret(pool, settings, deployment)
    machine, key = await _provision(pool, settings, deployment, secret, run_id, progress)
    rollout = Rollout(settings, deployment.id, machine, key, framework)
    listener = LedgerListener(pool, run_id)
    record = await asyncio.to_thread(rollout.deploy, repository, commit, secret, listener)
    if record.status != "success":
        raise Failed(record.error_code or NOT_DEPLOYABLE, record.error_message or "failed")
    async with pool.connection() as connection, connection.transaction():
        await deployments.set_running(connection, deployment.id, framework.port, rollout.url)
        details = {"access_url": rollout.url, "commit": commit, "ip_address": machine.ip_address}
        await ledger.finish_run(connection, run_id, RunStatus.SUCCESS, details=details)


@registry.kind("paas.deploy", max_attempts=2, timeout_seconds=3600, backoff_seconds=1)
async def deploy(context: JobContext) -> None:
    deployment_id = uuid.UUID(context.payload["deployment_id"])
    run_id = uuid.UUID(context.payload["run_id"])
    settings = get_settings()
    async with context.pool.connection() as connection:
        deployment = await deployments.one(connection, deployment_id)
        if deployment is None:  # its organisation was deleted meanwhile
            return
        if context.attempt > 1:  # the first attempt's worker died, or it failed already
            if deployment.status.in_progress:
                failure = Failed(NOT_DEPLOYABLE, WORKER_LOST)
                await _fail(context.pool, settings, deployment, run_id, failure, None, keep=True)
            return
        await ledger.start_run(connection, run_id)
        await deployments.set_status(connection, deployment_id, DeploymentStatus.PROVISIONING)
    progress = Progress()
    try:
        await _run(context.pool, settings, deployment, run_id, progress)
    except Failed as failure:
        await _fail(context.pool, settings, deployment, run_id, failure, progress.provider)
    except (DeployError, VaultError) as error:
        code = error.code if isinstance(error, DeployError) else INVALID_CONFIGURATION
        refused = Failed(code or INVALID_CONFIGURATION, str(error))
        await _fail(context.pool, settings, deployment, run_id, refused, progress.provider)
    except BaseException as error:  # a bug, or the job cancelled or timed out: kept for a DELETE
        interrupted = Failed(NOT_DEPLOYABLE, f"interrupted: {type(error).__name__}")
        await _fail(context.pool, settings, deployment, run_id, interrupted, None, keep=True)
        raise
