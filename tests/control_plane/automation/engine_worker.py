"""A `nocode worker` for the engine's crash tests, on FAST worker settings (a dead worker's
job is recovered within seconds), with a probe: a transform node whose config has
`probe_file` counts as having side effects here, appends a line to that file when it runs,
fails while the file has no more than `probe_failures` lines, then sleeps `probe_seconds`
(the window in which the tests kill this process).

`python -m tests.control_plane.automation.engine_worker DATABASE_URL`: a worker;
`... DATABASE_URL WORKFLOW_ID`: one execution of the workflow run inline (run_inline), as
the webhook endpoint runs them."""

from __future__ import annotations

import asyncio
import sys
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from control_plane import modules  # noqa: F401  (every job kind)
from control_plane.automation.engine.executors.transform import Transform
from control_plane.automation.engine.nodes import EXECUTORS, NodeFailed, NodeRun
from control_plane.automation.node_types import NodeType
from control_plane.automation.services.executions import run_inline
from control_plane.config import get_settings
from control_plane.db import create_pool
from control_plane.jobs import registry, worker_main
from tests.control_plane.jobs.kinds import FAST


class Probe(Transform):
    def has_side_effects(self, config: Mapping[str, Any]) -> bool:
        return "probe_file" in config

    async def run(self, node: NodeRun) -> dict[str, Any]:
        if "probe_file" in node.config:
            probe = Path(node.config["probe_file"])
            with probe.open("a") as file:
                file.write(f"{node.execution_id}\n")
            if len(probe.read_text().splitlines()) <= node.config.get("probe_failures", 0):
                raise NodeFailed("the probe fails this time")
            await asyncio.sleep(float(node.config.get("probe_seconds", 0)))
        return await super().run(node)


async def run_once(database_url: str, workflow_id: uuid.UUID) -> None:
    settings = get_settings()
    async with create_pool(settings) as pool:
        await run_inline(
            pool, settings, workflow_id, trigger_type="webhook", input_data={},
            execution_context={}, timeout_seconds=30,
        )  # fmt: skip


if __name__ == "__main__":
    EXECUTORS[NodeType.TRANSFORM] = Probe()
    if len(sys.argv) == 3:
        asyncio.run(run_once(sys.argv[1], uuid.UUID(sys.argv[2])))
    else:
        worker_main(sys.argv[1], concurrency=4, kinds=registry, settings=FAST)
