"""Workers: procrastinate's worker running our job kinds, plus crash recovery and the
registry's passes (jobs/passes.py) beside it.

`nocode serve` runs one in its event loop (run_worker); `nocode worker` runs one per
process (worker_main). Any number of them, on any machines, share one database.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import os
import signal
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import procrastinate
from procrastinate.exceptions import ConnectorException
from procrastinate.worker import Worker
from psycopg import AsyncConnection
from psycopg import Error as DatabaseError
from psycopg_pool import AsyncConnectionPool

from control_plane.jobs.execution import Backoff, Pool, task_function
from control_plane.jobs.kinds import Registry, registry
from control_plane.jobs.passes import run_pass_forever
from control_plane.jobs.queue import job_arguments
from control_plane.jobs.recovery import recover_forever

logger = logging.getLogger("control_plane.jobs.worker")


@dataclass(frozen=True)
class WorkerSettings:
    heartbeat_seconds: float = 10  # below stalled_seconds / 2
    # A worker silent this long is taken for dead and its running jobs are recovered, so
    # a crash costs at most stalled_seconds + recovery_seconds before the job moves on.
    stalled_seconds: float = 30
    recovery_seconds: float = 10
    # New jobs arrive by LISTEN/NOTIFY; polling catches jobs that come due (retries,
    # durable delays, cron ticks: their latency is at most this) and
    # notifications lost while the listening connection was being re-opened.
    poll_seconds: float = 0.5
    # On stop, running jobs get this long to finish, then go back to the queue.
    shutdown_seconds: float = 30


def build_app(kinds: Registry, pool: Pool) -> procrastinate.App:
    app = procrastinate.App(connector=procrastinate.PsycopgConnector())
    for kind in kinds.kinds.values():
        declare = app.task(name=kind.name, pass_context=True, retry=Backoff(kind.backoff_seconds))
        declare(task_function(kind, pool))
    for schedule in kinds.schedules:
        arguments = job_arguments(schedule.kind, schedule.payload)
        periodic = app.periodic(
            cron=schedule.cron, periodic_id=schedule.schedule_id, task_kwargs=arguments
        )
        periodic(app.tasks[schedule.kind.name])
    return app


async def _autocommit(connection: AsyncConnection[Any]) -> None:
    await connection.set_autocommit(True)


async def _heartbeat_is_fresh(pool: Pool, worker: Worker, seconds: float) -> bool:
    async with pool.connection() as connection:
        cursor = await connection.execute(
            "SELECT last_heartbeat > now() - make_interval(secs => %s)"
            "  FROM procrastinate_workers WHERE id = %s",
            (seconds, worker.worker_id),
        )
        row = await cursor.fetchone()
    return bool(row and row[0])


async def _watch(pool: Pool, worker: Worker, settings: WorkerSettings) -> None:
    """Return once `worker`'s heartbeat has gone stale, or its record was removed.

    procrastinate's heartbeat task dies with a database outage and nothing notices
    (procrastinate issue #1597); a worker left without a heartbeat would see its jobs
    recovered by others while it still runs them, and keep taking new ones.
    """
    while True:
        await asyncio.sleep(settings.heartbeat_seconds)
        if worker.worker_id is None:
            continue  # still registering
        with contextlib.suppress(ConnectorException, DatabaseError):  # can't tell yet
            if not await _heartbeat_is_fresh(pool, worker, settings.stalled_seconds / 2):
                return


async def _run_while_healthy(
    app: procrastinate.App,
    pool: Pool,
    stopping: asyncio.Task[Any],
    concurrency: int,
    settings: WorkerSettings,
) -> None:
    """Run one procrastinate worker until `stopping` is done or its heartbeat is lost."""
    worker = Worker(
        app,
        name=f"{socket.gethostname()}:{os.getpid()}",
        concurrency=concurrency,
        install_signal_handlers=False,
        fetch_job_polling_interval=settings.poll_seconds,
        update_heartbeat_interval=settings.heartbeat_seconds,
        stalled_worker_timeout=settings.stalled_seconds,
        shutdown_graceful_timeout=settings.shutdown_seconds,
    )
    running = asyncio.create_task(worker.run())  # type: ignore[no-untyped-call]  # untyped upstream
    watchdog = asyncio.create_task(_watch(pool, worker, settings))
    try:
        await asyncio.wait([running, watchdog, stopping], return_when=asyncio.FIRST_COMPLETED)
        if watchdog.done():
            logger.warning("worker %s lost its heartbeat: starting afresh", worker.worker_id)
    finally:
        watchdog.cancel()
        running.cancel()  # procrastinate's graceful stop
        with contextlib.suppress(asyncio.CancelledError):
            await running


async def run_worker(
    database_url: str,
    *,
    concurrency: int = 1,
    stop: asyncio.Event | None = None,
    kinds: Registry = registry,
    settings: WorkerSettings = WorkerSettings(),  # noqa: B008 - frozen, so safe to share
) -> None:
    """Run jobs until `stop` is set (or this coroutine is cancelled).

    While the database is away, it keeps trying: a worker never ends on its own.
    """
    pool: Pool = AsyncConnectionPool(
        database_url,
        min_size=1,
        # jobs' own writes, fetching, heartbeat, recovery, and one per pass
        max_size=2 * concurrency + 4 + len(kinds.passes),
        configure=_autocommit,
        open=False,
    )
    async with pool:
        app = build_app(kinds, pool)
        async with app.open_async(pool):
            stopping = asyncio.create_task((stop or asyncio.Event()).wait())
            recovery = asyncio.create_task(
                recover_forever(app, pool, settings.stalled_seconds, settings.recovery_seconds)
            )
            passes = [
                asyncio.create_task(run_pass_forever(work, pool, database_url))
                for work in kinds.passes
            ]
            try:
                while not stopping.done():
                    try:
                        await _run_while_healthy(app, pool, stopping, concurrency, settings)
                    except ConnectorException:
                        logger.exception("worker stopped on a database error")
                    await asyncio.wait([stopping], timeout=settings.poll_seconds)
            finally:
                for task in (recovery, *passes):
                    task.cancel()
                stopping.cancel()


def worker_main(
    database_url: str,
    concurrency: int = 1,
    *,
    import_paths: Sequence[str] = (),
    kinds: Registry = registry,
    settings: WorkerSettings = WorkerSettings(),  # noqa: B008
) -> None:
    """Run a worker in this process until SIGINT or SIGTERM.

    `import_paths` are modules to import first: those that declare job kinds.
    """
    for path in import_paths:
        importlib.import_module(path)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await run_worker(
            database_url, concurrency=concurrency, stop=stop, kinds=kinds, settings=settings
        )

    asyncio.run(main())
