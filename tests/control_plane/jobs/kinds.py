"""Job kinds for the tests, on their own registry, and worker settings that notice a
dead worker within seconds."""

from __future__ import annotations

import asyncio

from control_plane.jobs import JobContext, Registry, WorkerSettings

FAST = WorkerSettings(
    heartbeat_seconds=0.5,
    stalled_seconds=2,
    recovery_seconds=0.5,
    poll_seconds=0.1,
    shutdown_seconds=0.5,
)

kinds = Registry()


@kinds.kind("test.steps")
async def steps(context: JobContext) -> None:
    await context.progress("render", done=1, total=2)
    await context.log("rendered one file")
    await asyncio.sleep(context.payload["pause"])  # long enough for a test to see `running`
    await context.progress("render", done=2, total=2)
    await context.progress("write")
    await context.log("wrote the files")


@kinds.kind("test.fail", max_attempts=3, backoff_seconds=0.3)
async def fail(context: JobContext) -> None:
    raise RuntimeError("boom")


@kinds.kind("test.sleep", backoff_seconds=0.1)
async def sleep(context: JobContext) -> None:
    await asyncio.sleep(context.payload["seconds"])
    await context.log("slept")
