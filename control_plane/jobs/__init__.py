"""Durable jobs: long work (generation, deployment, workflow runs) on a PostgreSQL queue.

The queue is procrastinate's; this package gives the rest of the control plane job kinds,
cron schedules, enqueue/get/cancel on its own connection, and workers. See docs/jobs.md.
"""

from control_plane.jobs.context import JobContext
from control_plane.jobs.execution import JobTimeout, WorkerLost
from control_plane.jobs.kinds import JobKind, Registry, registry
from control_plane.jobs.queue import (
    Attempt,
    JobState,
    JobView,
    LogLine,
    Step,
    cancel,
    enqueue,
    get_job,
)
from control_plane.jobs.schema import apply_queue_schema
from control_plane.jobs.worker import WorkerSettings, run_worker, worker_main

__all__ = [
    "Attempt",
    "JobContext",
    "JobKind",
    "JobState",
    "JobTimeout",
    "JobView",
    "LogLine",
    "Registry",
    "Step",
    "WorkerLost",
    "WorkerSettings",
    "apply_queue_schema",
    "cancel",
    "enqueue",
    "get_job",
    "registry",
    "run_worker",
    "worker_main",
]
