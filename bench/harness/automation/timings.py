"""Two timings of our engine, read from the ledger after the load runs: a cron tick's
latency (the tick's due time -> its execution's start) and a delay node's accuracy (when
the delay's node ran plus its delay -> when the next node started)."""

from __future__ import annotations

import statistics
import time
from typing import Any

import psycopg

from .ours import DATABASE, Node, Ours, Workflow, build

CRON_EVERY_SECOND = "* * * * * *"  # six fields: the seconds field last
DELAY_SECONDS = 2
TICK_LATENCY_SQL = """
SELECT extract(epoch FROM r.started_at - t.due_at) * 1000
FROM automation_cron_ticks t JOIN runs r ON r.id = t.run_id
WHERE t.workflow_id = %s AND r.started_at IS NOT NULL AND t.due_at < now()
"""
DELAY_ERROR_SQL = """
SELECT extract(epoch FROM after.started_at - waiting.started_at) * 1000 - %s * 1000
FROM run_steps waiting
JOIN run_steps after ON after.run_id = waiting.run_id AND after.position = waiting.position + 1
WHERE waiting.node_id = %s AND after.started_at IS NOT NULL
"""


def _percentiles(values: list[float]) -> dict[str, Any]:
    if len(values) < 2:
        return {"count": len(values)}
    cuts = statistics.quantiles(values, n=20, method="inclusive")
    return {
        "count": len(values),
        "p50_ms": round(statistics.median(values), 1),
        "p95_ms": round(cuts[18], 1),
        "max_ms": round(max(values), 1),
    }


def _milliseconds(engine: Ours, query: str, *args: object) -> list[float]:
    with psycopg.connect(engine.postgres.get_uri(database=DATABASE)) as connection:
        return [float(row[0]) for row in connection.execute(query, args).fetchall()]


def cron_latency(engine: Ours, seconds: float) -> dict[str, Any]:
    """A workflow ticking every second, scheduled for `seconds`: each tick's latency."""
    workflow = Workflow("cron", {"cron": CRON_EVERY_SECOND}, (Node("Tick", "trigger", {}),))
    activated = build(engine.platform, engine.project, "bench cron", workflow)
    time.sleep(seconds)
    engine.platform.call("POST", f"/automation/workflows/{activated['workflow_id']}/deactivate/")
    values = _milliseconds(engine, TICK_LATENCY_SQL, activated["workflow_id"])
    return _percentiles(values) | {"expected_ticks": int(seconds)}


def delay_accuracy(engine: Ours, executions: int) -> dict[str, Any]:
    """`executions` runs of trigger -> delay (DELAY_SECONDS) -> transform, started 100 ms
    apart: how late the transform started after the delay was due."""
    nodes = (
        Node("Start", "trigger", {}),
        Node("Wait", "delay", {"seconds": DELAY_SECONDS}),
        Node("After", "transform", {"output": {"done": True}}),
    )
    workflow = Workflow("manual", {}, nodes, (("Start", "Wait", None), ("Wait", "After", None)))
    built = build(engine.platform, engine.project, "bench delay", workflow)
    path = f"/automation/workflows/{built['workflow_id']}/execute/"
    for _ in range(executions):
        engine.platform.call("POST", path, 202, json={"input_data": {}})
        time.sleep(0.1)
    deadline = time.monotonic() + DELAY_SECONDS + 60
    wait_node = built["node_ids"]["Wait"]
    values: list[float] = []
    while len(values) < executions and time.monotonic() < deadline:
        time.sleep(0.5)
        values = _milliseconds(engine, DELAY_ERROR_SQL, DELAY_SECONDS, wait_node)
    return _percentiles(values) | {"delay_s": DELAY_SECONDS, "started": executions}
