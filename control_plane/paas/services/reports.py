"""What the PaaS API reports: a deployment's logs (its runs of the ledger, as seed 002's
text and as steps) and the statistics of the caller's organisations."""

from __future__ import annotations

import uuid

from control_plane.db import Conn
from control_plane.foundation.permissions import Permission, authorize
from control_plane.paas.models import (
    DeploymentStatus,
    LogsResponse,
    PaasRun,
    PaasRunLogLine,
    PaasRunStep,
    ResourcesPublic,
    Stats,
)
from control_plane.paas.queries import deployments
from control_plane.paas.services.deployments import MANAGERS
from control_plane.runs.services import ledger
from control_plane.runs.services.ledger import RunRecord


def _run(record: RunRecord) -> PaasRun:
    run = record.run
    return PaasRun(
        id=run.id,
        kind=run.kind.value,
        status=run.status.value,
        error_message=run.error_message,
        created_at=run.created_at,
        completed_at=run.completed_at,
        steps=[
            PaasRunStep(name=s.name, status=s.status.value, details=s.details,
                       started_at=s.started_at, completed_at=s.completed_at)
            for s in record.steps
        ],
        lines=[
            PaasRunLogLine(at=line.at, step=line.step, host=line.host, status=line.status,
                          message=line.message)
            for line in record.lines
        ],
    )  # fmt: skip


def _text(runs: list[PaasRun]) -> str:
    """One line per log line, then the run's outcome, run after run."""
    lines: list[str] = []
    for run in runs:
        lines.append(f"== {run.kind} {run.id}: {run.status}")
        for line in run.lines:
            where = " | ".join(part for part in (line.step, line.host) if part)
            lines.append(f"{line.at:%Y-%m-%dT%H:%M:%SZ} [{where}] {line.message}")
        if run.error_message:
            lines.append(f"error: {run.error_message}")
    return "\n".join(lines)


async def logs(connection: Conn, deployment_id: uuid.UUID) -> LogsResponse:
    """The deployment's runs (an authorized caller's)."""
    runs: list[PaasRun] = []
    for run_id in await deployments.runs(connection, deployment_id):
        record = await ledger.read_run(connection, run_id)
        if record is not None:
            runs.append(_run(record))
    return LogsResponse(logs=_text(runs), runs=runs)


async def stats(connection: Conn, user_id: uuid.UUID, organization_id: uuid.UUID | None) -> Stats:
    """Seed 002's four figures over the organisations whose deployments the caller manages
    (deleted deployments not counted in them), and what is in use."""
    if organization_id is not None:
        await authorize(connection, user_id, organization_id, Permission.PAAS_MANAGE)
    counts = await deployments.counts(connection, user_id, MANAGERS, organization_id)
    by_status = {status.value: 0 for status in DeploymentStatus}
    for count in counts:
        by_status[count.status.value] = count.count
    deleted = by_status[DeploymentStatus.DELETED]
    total = sum(by_status.values()) - deleted
    running = by_status[DeploymentStatus.RUNNING]
    return Stats(
        total_deployments=total,
        running_deployments=running,
        failed_deployments=by_status[DeploymentStatus.FAILED],
        success_rate=round(100 * running / total, 1) if total else 0.0,
        deleted_deployments=deleted,
        by_status=by_status,
        resources_in_use=ResourcesPublic(
            cores=sum(c.cores for c in counts),
            memory=sum(c.memory for c in counts),
            disk=sum(c.disk for c in counts),
        ),
        machines=sum(c.machines for c in counts),
    )
