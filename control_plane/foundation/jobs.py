"""The Foundation's job kinds. A scheduled one: delete what the Foundation no longer needs
(expired or used link tokens, old login failures, refresh tokens past their expiry,
sessions long over)."""

from __future__ import annotations

from control_plane.foundation.queries.housekeeping import PURGES
from control_plane.jobs import JobContext, registry


@registry.kind("foundation.housekeeping", max_attempts=3, timeout_seconds=600)
async def housekeeping(context: JobContext) -> None:
    for position, (what, statement) in enumerate(PURGES, start=1):
        await context.progress(what, done=position, total=len(PURGES))
        async with context.pool.connection() as connection:
            cursor = await connection.execute(statement)
            await context.log(f"deleted {cursor.rowcount} {what}")


registry.schedule(housekeeping, "17 * * * *", schedule_id="hourly")
