"""Node-RED 4.1.8 beside us: the ceiling of an engine that keeps no record of an execution.
The same two flows (peers/node-red/flows.json), on Node 24, one process, no editor."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..config import BENCH_DIR, HOST
from ..install import NODE24, npm_packages
from ..procs import spawn, stop, wait_healthy
from ..wrk import Request
from . import ORDER_BODY, SMOKE_BODY, CpuGroups, Flow

VERSION = "4.1.8"
PORT = 18_170
FLOWS_DIR = BENCH_DIR / "peers" / "node-red"
NODE_RUNS = {"order": 5, "ack": 2}  # http in ... http response: Node-RED's nodes per message


@dataclass
class NodeRed:
    label: str
    notes: str
    base_url: str
    flows: Mapping[str, Flow]
    server_pid: int

    def cpu_groups(self) -> CpuGroups:
        return {"server": ([self.server_pid], []), "database": ([], [])}

    def finished_executions(self) -> None:
        """Nothing is stored: the runner counts the answered requests."""

    def stored(self) -> dict[str, int]:
        return {}


@contextmanager
def running(work_dir: Path) -> Iterator[NodeRed]:
    package = npm_packages("node-red", [f"node-red@{VERSION}"], NODE24)
    shutil.rmtree(work_dir, ignore_errors=True)
    work_dir.mkdir(parents=True)
    shutil.copy(FLOWS_DIR / "flows.json", work_dir / "flows.json")
    command = [str(NODE24.binary()), str(package / "node_modules" / "node-red" / "red.js"),
               "--settings", str(FLOWS_DIR / "settings.js"), "--userDir", str(work_dir),
               "--port", str(PORT)]  # fmt: skip
    began = time.perf_counter()
    server = spawn(command, cwd=work_dir, env=NODE24.env(), log=work_dir / "server.log")
    base_url = f"http://{HOST}:{PORT}"
    try:
        for name in NODE_RUNS:
            wait_healthy(f"{base_url}/{name}", server, started=began, timeout=120,
                         headers={"Content-Type": "application/json"}, body=SMOKE_BODY)  # fmt: skip
        yield NodeRed(
            label="node-red",
            notes=f"Node-RED {VERSION}, Node {NODE24.package}, one process, nothing stored",
            base_url=base_url,
            flows={
                name: Flow(name, Request("POST", f"/{name}", ORDER_BODY), {}, node_runs)
                for name, node_runs in NODE_RUNS.items()
            },
            server_pid=server.pid,
        )
    finally:
        stop(server)
