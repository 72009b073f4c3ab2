"""Deployments of an app (ADMIN and OWNER start them, every member reads them): deploy,
rollback and retry make a run of the ledger with its `runtime_deployments` row and the
`runtime.deploy` job, in one transaction with the app's new status and the audit entry.
Reads turn runs into the seed's deployment logs and the app's status."""

from __future__ import annotations

import uuid
from typing import Any

from control_plane.db import Conn
from control_plane.errors import CONFLICT, ApiError, ErrorKind
from control_plane.foundation.permissions import Permission, authorize_object
from control_plane.foundation.services.audit import RequestOrigin, record
from control_plane.jobs import enqueue
from control_plane.runs.models import RunKind, RunStatus
from control_plane.runs.queries.run_log_lines import RunLogLine
from control_plane.runs.queries.run_steps import RunStep
from control_plane.runs.services import ledger
from control_plane.runtime.jobs.deployments import deploy as deploy_job
from control_plane.runtime.models.deployments import (
    AppLogEntry,
    AppLogs,
    AppReference,
    AppStatus,
    Author,
    DeploymentLogDetail,
    DeploymentLogPublic,
    DeploymentStarted,
    DeploymentStatus,
    LogLinePublic,
    NewDeployment,
    RetryStarted,
    StepPublic,
    StepSummary,
)
from control_plane.runtime.models.environments import Environment
from control_plane.runtime.queries import deployments, instances, targets
from control_plane.runtime.queries.deployments import DeployableApp, Deployment
from control_plane.runtime.services import health
from control_plane.runtime.services.apps import NO_APP
from deployment.errors import INVALID_CONFIGURATION, MESSAGES, NOT_DEPLOYABLE
from deployment.record import human_duration

NO_DEPLOYMENT = {"deployment": "No such deployment."}

# Seed 000's deployment errors, as the API answers them.
NOT_DEPLOYABLE_ERROR = ErrorKind(409, NOT_DEPLOYABLE, MESSAGES[NOT_DEPLOYABLE])
INVALID_CONFIGURATION_ERROR = ErrorKind(400, INVALID_CONFIGURATION, MESSAGES[INVALID_CONFIGURATION])

# The steps each target records, in order (Rollback only after a failure).
STEPS = {
    "ssh": [
        "Build", "Validation", "Host Preparation", "Database", "Backup", "Code Deployment",
        "Database Migration", "Switch", "Health Checks", "Clean up",
    ],
    "local": [
        "Build", "Validation", "Database", "Backup", "Code Deployment", "Database Migration",
        "Switch", "Health Checks", "Clean up",
    ],
}  # fmt: skip
ROLLBACK_STEPS = ["Validation", "Rollback"]
ESTIMATED_TIME = {"ssh": "2-10 minutes", "local": "under a minute"}
GENERATED = frozenset({"generated", "deployment_pending", "deployed", "deployment_failed"})
APP_LOGS_SHOWN = 50


async def _app(
    connection: Conn, user_id: uuid.UUID, app_id: uuid.UUID, permission: Permission
) -> DeployableApp:
    app = await deployments.app(connection, app_id)
    organization_id = app.organization_id if app else None
    await authorize_object(connection, user_id, organization_id, permission, NO_APP)
    assert app is not None
    return app


async def _start(
    connection: Conn,
    user_id: uuid.UUID,
    app: DeployableApp,
    kind: RunKind,
    environment: str,
    *,
    force: bool,
    details: dict[str, Any],
    version: str | None,
    commit: str | None,
    retry_of: uuid.UUID | None = None,
) -> tuple[uuid.UUID, str]:
    """The run, its deployment row and its job; returns the run and where it goes."""
    await deployments.lock_app(connection, app.id)  # one start at a time per app
    if not force and await deployments.in_progress(connection, app.id, environment):
        raise ApiError(
            CONFLICT,
            {"environment": f"A deployment to {environment} is in progress "
                            "(force_redeploy: true starts one anyway)."},
        )  # fmt: skip
    target = await targets.of_environment(connection, app.organization_id, environment)
    run_id = await ledger.create_run(
        connection, app.organization_id, kind, performed_by=user_id, details=details
    )
    target_id = target.id if target else None
    await deployments.insert(
        connection, run_id, app.id, environment, target_id, version, commit, retry_of
    )
    job_id = await enqueue(
        connection, deploy_job, {"run_id": str(run_id)}, organization_id=app.organization_id
    )
    await ledger.attach_job(connection, run_id, job_id)
    await deployments.set_app_status(connection, app.id, "deployment_pending")
    return run_id, "ssh" if target else "local"


async def _audit(
    connection: Conn, origin: RequestOrigin, user_id: uuid.UUID, app: DeployableApp,
    action: str, run_id: uuid.UUID, environment: str,
) -> None:  # fmt: skip
    await record(
        connection,
        origin,
        actor_id=user_id,
        organization_id=app.organization_id,
        action=action,
        object_type="app",
        object_id=app.id,
        details={"run": str(run_id), "environment": environment},
    )


def _started(
    run_id: uuid.UUID, kind: RunKind, app: DeployableApp, environment: str, where: str, target: str
) -> DeploymentStarted:
    return DeploymentStarted(
        deployment_id=run_id,
        kind=kind,
        app_id=app.id,
        app_status="deployment_pending",
        environment=Environment(environment),
        target=target,
        estimated_time=ESTIMATED_TIME[where],
        deployment_steps=STEPS[where] if kind is RunKind.DEPLOYMENT else ROLLBACK_STEPS,
    )


async def _target_name(connection: Conn, run_id: uuid.UUID) -> str:
    deployment = await deployments.one(connection, run_id)
    if deployment is None or deployment.target_id is None:
        return "local"
    target = await targets.one(connection, deployment.target_id)
    return target.name if target else "local"


async def deploy(
    connection: Conn,
    origin: RequestOrigin,
    user_id: uuid.UUID,
    app_id: uuid.UUID,
    environment: Environment | None,
    force_redeploy: bool,
    migration_required: bool,
) -> DeploymentStarted:
    async with connection.transaction():
        app = await _app(connection, user_id, app_id, Permission.APPS_DEPLOY)
        if app.status not in GENERATED or app.commit is None:
            raise ApiError(
                NOT_DEPLOYABLE_ERROR, {"status": f"The app is {app.status}: generate it first."}
            )
        where_to = str(environment or app.environment)
        details = {"force_redeploy": force_redeploy, "migration_required": migration_required}
        run_id, where = await _start(
            connection, user_id, app, RunKind.DEPLOYMENT, where_to, force=force_redeploy,
            details=details, version=app.version, commit=app.commit,
        )  # fmt: skip
        await _audit(connection, origin, user_id, app, "app.deploy", run_id, where_to)
        target = await _target_name(connection, run_id)
        return _started(run_id, RunKind.DEPLOYMENT, app, where_to, where, target)


async def rollback(
    connection: Conn,
    origin: RequestOrigin,
    user_id: uuid.UUID,
    app_id: uuid.UUID,
    environment: Environment | None,
) -> DeploymentStarted:
    """Put back the release that served before the current one."""
    async with connection.transaction():
        app = await _app(connection, user_id, app_id, Permission.APPS_DEPLOY)
        where_to = str(environment or app.environment)
        if not await _rollback_available(connection, app.id, where_to):
            raise ApiError(
                NOT_DEPLOYABLE_ERROR,
                {"environment": f"No earlier release of the app in {where_to} to go back to."},
            )
        run_id, where = await _start(
            connection, user_id, app, RunKind.ROLLBACK, where_to, force=False,
            details={}, version=None, commit=None,
        )  # fmt: skip
        await _audit(connection, origin, user_id, app, "app.rollback", run_id, where_to)
        target = await _target_name(connection, run_id)
        return _started(run_id, RunKind.ROLLBACK, app, where_to, where, target)


async def _serving(connection: Conn, app_id: uuid.UUID, environment: str) -> Deployment | None:
    """The successful deployment whose release serves the environment, if any."""
    instance = await instances.one(connection, app_id, environment)
    if instance is None or instance.run_id is None:
        return None
    return await deployments.one(connection, instance.run_id)


async def _rollback_available(connection: Conn, app_id: uuid.UUID, environment: str) -> bool:
    serving = await _serving(connection, app_id, environment)
    return (
        serving is not None and await deployments.previous_success(connection, serving) is not None
    )


async def retry(
    connection: Conn, origin: RequestOrigin, user_id: uuid.UUID, run_id: uuid.UUID
) -> RetryStarted:
    """The same deployment (same commit, environment and options) again, as a new run."""
    async with connection.transaction():
        original = await _deployment(connection, user_id, run_id, Permission.APPS_DEPLOY)
        if original.status not in (RunStatus.FAILED, RunStatus.CANCELLED):
            raise ApiError(
                CONFLICT,
                {"status": f"The deployment is {original.status}: only a failed one is retried."},
            )
        app = await _app(connection, user_id, original.app_id, Permission.APPS_DEPLOY)
        options = ("force_redeploy", "migration_required")
        details = {name: original.details[name] for name in options if name in original.details}
        new_id, _ = await _start(
            connection, user_id, app, original.kind, original.environment, force=False,
            details=details, version=original.version, commit=original.commit,
            retry_of=original.id,
        )  # fmt: skip
        await _audit(connection, origin, user_id, app, "app.retry", new_id, original.environment)
        new = await deployments.one(connection, new_id)
        assert new is not None
        where = "local" if new.target_id is None else "ssh"
        return RetryStarted(
            original_deployment_id=original.id,
            new_deployment=NewDeployment(id=new.id, status=new.status, created_at=new.created_at),
            estimated_time=ESTIMATED_TIME[where],
        )


async def _deployment(
    connection: Conn, user_id: uuid.UUID, run_id: uuid.UUID, permission: Permission
) -> Deployment:
    deployment = await deployments.one(connection, run_id)
    organization_id = deployment.organization_id if deployment else None
    await authorize_object(connection, user_id, organization_id, permission, NO_DEPLOYMENT)
    assert deployment is not None
    return deployment


def _duration(deployment: Deployment) -> str | None:
    if deployment.started_at is None or deployment.completed_at is None:
        return None
    return human_duration((deployment.completed_at - deployment.started_at).total_seconds())


def log_public(deployment: Deployment) -> DeploymentLogPublic:
    """A run as one entry of the deployment logs."""
    author = (
        Author(
            id=deployment.performed_by_id,
            email=deployment.performed_by_email or "",
            full_name=deployment.performed_by_name,
        )
        if deployment.performed_by_id
        else None
    )
    return DeploymentLogPublic(
        id=deployment.id,
        kind=deployment.kind,
        app=AppReference(id=deployment.app_id, name=deployment.app_name),
        status=deployment.status,
        environment=Environment(deployment.environment),
        target_id=deployment.target_id,
        version=deployment.version,
        commit=deployment.commit,
        created_at=deployment.created_at,
        started_at=deployment.started_at,
        completed_at=deployment.completed_at,
        duration=_duration(deployment),
        performed_by=author,
        retry_of=deployment.retry_of,
        error_code=deployment.error_code,
        error_message=deployment.error_message,
        deployment_details=deployment.details,
    )


def _step_duration(step: RunStep) -> str | None:
    if step.started_at is None or step.completed_at is None:
        return None
    return human_duration((step.completed_at - step.started_at).total_seconds())


def _step(step: RunStep) -> StepPublic:
    return StepPublic(
        step=step.name,
        status=step.status,
        started_at=step.started_at,
        completed_at=step.completed_at,
        duration=_step_duration(step),
        details=step.details,
    )


def _line(line: RunLogLine) -> LogLinePublic:
    return LogLinePublic(
        at=line.at, step=line.step, host=line.host, task=line.task, status=line.status,
        message=line.message,
    )  # fmt: skip


async def detail(connection: Conn, user_id: uuid.UUID, run_id: uuid.UUID) -> DeploymentLogDetail:
    deployment = await _deployment(connection, user_id, run_id, Permission.APPS_READ)
    run = await ledger.read_run(connection, run_id)
    assert run is not None
    serving = await _serving(connection, deployment.app_id, deployment.environment)
    available = (
        serving is not None
        and serving.id == deployment.id
        and await deployments.previous_success(connection, serving) is not None
    )
    return DeploymentLogDetail(
        **log_public(deployment).model_dump(),
        steps=[_step(step) for step in run.steps],
        logs=[_line(line) for line in run.lines],
        rollback_available=available,
    )


async def app_logs(connection: Conn, user_id: uuid.UUID, app_id: uuid.UUID) -> AppLogs:
    app = await _app(connection, user_id, app_id, Permission.APPS_READ)
    entries = []
    for deployment in await deployments.of_app(connection, app.id, APP_LOGS_SHOWN):
        run = await ledger.read_run(connection, deployment.id)
        steps = run.steps if run else []
        summaries = [
            StepSummary(name=step.name, status=step.status, duration=_step_duration(step))
            for step in steps
        ]
        entries.append(AppLogEntry(**log_public(deployment).model_dump(), steps=summaries))
    total = await deployments.count_of_app(connection, app.id)
    return AppLogs(app_id=app.id, app_name=app.name, total_logs=total, logs=entries)


async def status(
    connection: Conn, user_id: uuid.UUID, app_id: uuid.UUID, environment: Environment | None
) -> AppStatus:
    """The last run of the environment, and the health and performance of what serves it,
    asked of the app itself."""
    app = await _app(connection, user_id, app_id, Permission.APPS_READ)
    where = str(environment or app.environment)
    last = await deployments.latest(connection, app.id, where)
    serving = await _serving(connection, app.id, where)
    instance = await instances.one(connection, app.id, where)
    if instance is None:
        health_status, performance = health.not_deployed(), health.UNKNOWN_PERFORMANCE
    else:
        health_status, performance = await health.probe(instance.url)
    deployment_status = (
        DeploymentStatus(
            status=last.status,
            kind=last.kind,
            version=serving.version if serving else None,
            deployed_at=serving.completed_at if serving else None,
            deployment_duration=_duration(serving) if serving else None,
            environment=Environment(where),
        )
        if last
        else None
    )
    return AppStatus(
        app_id=app.id,
        name=app.name,
        status=app.status,
        environment=Environment(where),
        deployment_status=deployment_status,
        health_status=health_status,
        performance=performance,
        last_deployed=serving.completed_at if serving else None,
        last_deployment_status=last.status if last else None,
        api_url=f"{instance.url}/api/v1/runtime/projects/{app.project_id}/" if instance else None,
        created_at=app.created_at,
        updated_at=app.updated_at,
    )
