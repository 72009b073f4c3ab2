"""A `nocode worker` for the engine's crash tests, on FAST worker settings (a dead worker's
job is recovered within seconds), with a probe: a transform node whose config has
`probe_file` counts as having side effects here, appends a line to that file when it runs,
then sleeps `probe_seconds` (the window in which the tests kill this process).

`python -m tests.control_plane.automation.engine_worker DATABASE_URL`"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from control_plane import modules  # noqa: F401  (every job kind)
from control_plane.automation.engine.executors.transform import Transform
from control_plane.automation.engine.nodes import EXECUTORS, NodeRun
from control_plane.automation.node_types import NodeType
from control_plane.jobs import registry, worker_main
from tests.control_plane.jobs.kinds import FAST


class Probe(Transform):
    def has_side_effects(self, config: Mapping[str, Any]) -> bool:
        return "probe_file" in config

    async def run(self, node: NodeRun) -> dict[str, Any]:
        if "probe_file" in node.config:
            with Path(node.config["probe_file"]).open("a") as file:
                file.write(f"{node.execution_id}\n")
            await asyncio.sleep(float(node.config.get("probe_seconds", 0)))
        return await super().run(node)


if __name__ == "__main__":
    EXECUTORS[NodeType.TRANSFORM] = Probe()
    worker_main(sys.argv[1], concurrency=4, kinds=registry, settings=FAST)
