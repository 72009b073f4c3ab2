"""`runtime.generate`: generate an app's repository from a published version, as a job.

Its payload is `{"app_id", "version", "force"}`; its steps are the generator's stages.
"""

from __future__ import annotations

import uuid

from control_plane.config import get_settings, vault_of
from control_plane.jobs import JobContext, registry
from control_plane.runtime.services import generation


@registry.kind("runtime.generate", max_attempts=3, timeout_seconds=1800, backoff_seconds=10)
async def generate(context: JobContext) -> None:
    payload = context.payload
    settings = get_settings()
    await generation.generate_app(
        context.pool,
        settings.data_dir,
        vault_of(settings),
        uuid.UUID(payload["app_id"]),
        payload["version"],
        force=payload["force"],
        report=context.progress,
    )
