"""n8n 2.41.1 beside us: installed from the npm registry with Node 24, its two workflows
imported and published by its own CLI, then `n8n start` in its default single-process mode
on SQLite, every execution saved (its defaults)."""

from __future__ import annotations

import shutil
import sqlite3
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from subprocess import Popen

from ..config import BENCH_DIR, HOST
from ..install import NODE24, npm_packages
from ..procs import ProcessDied, run_checked, spawn, stop, tail, wait_healthy
from ..wrk import Request
from . import ORDER_BODY, SMOKE_BODY, CpuGroups, Flow

VERSION = "2.41.1"  # 2.41.3 pins a dependency the registry here lacks
# Installed with --ignore-scripts (the Kafka client's script downloads build inputs), so the
# native modules n8n needs are rebuilt by name: its SQLite driver and the isolate of its
# expression engine.
NATIVE_MODULES = ("sqlite3", "isolated-vm")
PORT = 18_150
WORKFLOWS_DIR = BENCH_DIR / "peers" / "n8n"
# webhook path -> (file, workflow id in it, nodes run per execution)
WORKFLOWS = {
    "order": ("order.json", "benchOrderFlow01", 4),
    "ack": ("ack.json", "benchAckFlow0001", 1),
}
FINISHED = ("success", "error", "crashed", "canceled")
# The last line of n8n's start-up at log level info.
STARTED_LINE = "Finished building workflow dependency index"


def install() -> Path:
    """The n8n package's directory (installed once into bench/.peers/n8n)."""
    return npm_packages(
        "n8n", [f"n8n@{VERSION}"], NODE24, ignore_scripts=True, rebuild=NATIVE_MODULES
    )


def _environment(user_folder: Path, legacy: bool) -> dict[str, str]:
    settings = {
        "N8N_USER_FOLDER": str(user_folder),
        "N8N_LISTEN_ADDRESS": HOST,
        "N8N_PORT": str(PORT),
        "N8N_LOG_LEVEL": "info",
        # No calls out and no start-up work beyond serving.
        "N8N_DIAGNOSTICS_ENABLED": "false",
        "N8N_VERSION_NOTIFICATIONS_ENABLED": "false",
        "N8N_PERSONALIZATION_ENABLED": "false",
        "N8N_TEMPLATES_ENABLED": "false",
        "N8N_DISABLED_MODULES": "mcp-registry",
    }
    if legacy:
        settings["N8N_EXPRESSION_ENGINE"] = "legacy"
    return NODE24.env(settings)


@dataclass
class N8n:
    """A running n8n with both workflows published."""

    label: str
    notes: str
    base_url: str
    flows: Mapping[str, Flow]
    server_pid: int
    database: Path = field(repr=False)

    def cpu_groups(self) -> CpuGroups:
        # SQLite runs inside n8n's process: the server's figure includes the database.
        return {"server": ([self.server_pid], []), "database": ([], [])}

    def _count(self, query: str, *args: str) -> int:
        with sqlite3.connect(f"file:{self.database}?mode=ro", uri=True, timeout=30) as db:
            return int(db.execute(query, args).fetchone()[0])

    def finished_executions(self) -> int:
        marks = ",".join("?" * len(FINISHED))
        return self._count(
            f"SELECT count(*) FROM execution_entity WHERE status IN ({marks})",  # noqa: S608
            *FINISHED,
        )

    def stored(self) -> dict[str, int]:
        return {
            "executions": self._count("SELECT count(*) FROM execution_entity"),
            "finished": self.finished_executions(),
            # One row per execution holding every node's input and output (n8n's format).
            "execution_data_rows": self._count("SELECT count(*) FROM execution_data"),
        }


def _wait_for_line(log: Path, text: str, server: Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while text not in log.read_text(errors="replace"):
        if server.poll() is not None:
            raise ProcessDied(f"n8n exited with {server.returncode}: {tail(log)}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"n8n did not log {text!r} within {timeout:.0f} s")
        time.sleep(0.2)


@contextmanager
def running(work_dir: Path, *, legacy: bool) -> Iterator[N8n]:
    """n8n in `work_dir` (recreated), serving both workflows; stopped on exit."""
    package = install()
    shutil.rmtree(work_dir, ignore_errors=True)
    work_dir.mkdir(parents=True)
    env = _environment(work_dir, legacy)
    cli = [str(NODE24.binary()), str(package / "node_modules" / "n8n" / "bin" / "n8n")]
    for file, workflow_id, _ in WORKFLOWS.values():
        for step in (
            ["import:workflow", f"--input={WORKFLOWS_DIR / file}"],
            ["publish:workflow", f"--id={workflow_id}"],
        ):
            run_checked(
                [*cli, *step], cwd=work_dir, env=env, log=work_dir / "setup.log", timeout=300
            )
    base_url = f"http://{HOST}:{PORT}"
    began = time.perf_counter()
    server = spawn([*cli, "start"], cwd=work_dir, env=env, log=work_dir / "server.log")
    try:
        # Until then, under load, webhooks answer 404 "not registered" now and then.
        _wait_for_line(work_dir / "server.log", STARTED_LINE, server, timeout=180)
        json_headers = {"Content-Type": "application/json"}
        for name in WORKFLOWS:
            wait_healthy(f"{base_url}/webhook/{name}", server, started=began, timeout=180,
                         headers=json_headers, body=SMOKE_BODY)  # fmt: skip
        flows = {
            name: Flow(name, Request("POST", f"/webhook/{name}", ORDER_BODY), {}, node_runs)
            for name, (_, _, node_runs) in WORKFLOWS.items()
        }
        engine = "legacy" if legacy else "default"
        yield N8n(
            label="n8n-legacy" if legacy else "n8n",
            notes=f"n8n {VERSION}, Node {NODE24.package}, single process, SQLite, "
            f"executions saved, expression engine: {engine}",
            base_url=base_url,
            flows=flows,
            server_pid=server.pid,
            database=work_dir / ".n8n" / "database.sqlite",
        )
    finally:
        stop(server)
