"""Cron triggers, and event dispatch, with two `nocode worker` processes and no worker in
the server: every tick of a schedule of every 2 seconds starts exactly one execution, and
so does every event emitted at once from many connections; deactivating stops the ticks
and cancels the executions written ahead. Prints the tick latency (due -> started)."""

from __future__ import annotations

import asyncio
import signal
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from control_plane import events
from platform_support.secrets import read_env_file
from platform_support.vault import KEY_VARIABLE
from tests.conftest import TEST_SECRET, fresh_database, nocode_environment
from tests.control_plane.automation.conftest import Automation
from tests.control_plane.automation.triggering import (
    executions_of,
    finished_executions,
    settled_executions,
)
from tests.control_plane.conftest import Api, Inbox, Server, serve

pytestmark = pytest.mark.slow

EVERY_2_SECONDS = "* * * * * */2"  # croniter: a seconds field last
TICK = ("transform", {"config": {"output": {"tick": "{{input_data.scheduled_for}}"}}})
ECHO = ("transform", {"config": {"output": {"n": "{{input_data.n}}"}}})


@pytest.fixture(scope="module")
def two_workers(
    pg_server: str, inbox: Inbox, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Api]:
    """A control plane whose jobs and trigger dispatchers run in two `nocode worker`."""
    data_dir = tmp_path_factory.mktemp("cp-workers")
    server = serve(fresh_database(pg_server), inbox, data_dir, in_process_worker="false")
    env = {
        **nocode_environment(),
        "DATABASE_URL": server.database_url,
        "JWT_SECRET": TEST_SECRET,
        "PUBLIC_URL": "http://cp.test",
        KEY_VARIABLE: read_env_file(data_dir)[KEY_VARIABLE],
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(inbox.port),  # type: ignore[attr-defined]
    }
    workers = [_worker(env, data_dir, number) for number in (1, 2)]
    client = Api(server, inbox)
    _wait_for_workers(server, len(workers))
    try:
        yield client
    finally:
        client.http.close()
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            worker.wait(timeout=60)
        server.stop()


def _worker(env: dict[str, str], data_dir: Path, number: int) -> subprocess.Popen[bytes]:
    log = (data_dir / f"worker-{number}.log").open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", "nocode", "worker", "--concurrency", "4"],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip


def _wait_for_workers(server: Server, count: int, seconds: float = 60) -> None:
    """Until `count` workers poll for jobs: a worker still starting on a loaded machine would
    leave every tick to the other one."""
    deadline = time.monotonic() + seconds
    with psycopg.connect(server.database_url, autocommit=True) as connection:
        while time.monotonic() < deadline:
            [(polling,)] = connection.execute("SELECT count(*) FROM procrastinate_workers")
            if polling >= count:
                return
            time.sleep(0.2)
    raise AssertionError(f"{count} workers did not start within {seconds} s")


def _workers_of(server: Server) -> set[str]:
    """The workers that ran the executions' jobs."""
    with psycopg.connect(server.database_url) as connection:
        rows = connection.execute(
            "SELECT DISTINCT a.worker FROM job_attempts AS a"
            " JOIN procrastinate_jobs AS j ON j.id = a.job_id"
            " WHERE j.task_name = 'automation.execute'"
        ).fetchall()
    return {str(worker) for (worker,) in rows}


def test_one_execution_per_tick_with_two_workers(two_workers: Api) -> None:
    api = two_workers
    automation = Automation(api)
    team = automation.studio.team("cron")
    project = automation.project(team, "Cron")
    member = team.users["MEMBER"]
    workflow = automation.build(
        member, project, {"Tick": ("trigger", {}), "Echo": TICK}, [("Tick", "Echo")],
        trigger_type="cron", trigger_config={"cron": EVERY_2_SECONDS},
    )  # fmt: skip
    activated = automation.request("POST", f"/workflows/{workflow.id}/activate/", member)
    assert activated.status_code == 200, activated.text
    assert activated.json()["status"] == "scheduled"
    activated_at = datetime.fromisoformat(activated.json()["activated_at"])
    time.sleep(13)
    stopped = automation.request("POST", f"/workflows/{workflow.id}/deactivate/", member)
    assert stopped.status_code == 200, stopped.text
    deactivated_at = datetime.fromisoformat(stopped.json()["deactivated_at"])

    runs = settled_executions(api, workflow.id)
    due = [datetime.fromisoformat(row.execution_context["due_at"]) for row in runs]
    assert len(set(due)) == len(due), due  # one execution per tick
    ran = [row for row in runs if row.status != "cancelled"]
    ran_due = sorted(datetime.fromisoformat(row.execution_context["due_at"]) for row in ran)
    # Every tick between activation and deactivation, 2 s apart, none missed.
    assert ran_due[0] - activated_at <= timedelta(seconds=2)
    assert deactivated_at - ran_due[-1] <= timedelta(seconds=2)
    assert all(b - a == timedelta(seconds=2) for a, b in zip(ran_due, ran_due[1:], strict=False))
    assert len(ran) >= 6
    assert {(row.status, row.error) for row in ran} == {("success", None)}
    # The ticks written ahead of the deactivation were cancelled, none ran after it.
    assert all(
        row.status == "cancelled"
        for row in runs
        if datetime.fromisoformat(row.execution_context["due_at"]) > deactivated_at
    )
    [(ticks,)] = api.query(
        "SELECT count(*) FROM automation_cron_ticks WHERE workflow_id = %s",
        uuid.UUID(workflow.id),
    )
    assert ticks == len(ran)
    latencies = sorted(
        (row.started_at - datetime.fromisoformat(row.execution_context["due_at"])).total_seconds()
        for row in ran
        if row.started_at is not None
    )
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    print(
        f"cron tick latency (due -> started) over {len(latencies)} ticks: "
        f"median {statistics.median(latencies) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms"
    )
    assert all(latency >= 0 for latency in latencies)
    assert len(_workers_of(api.server)) == 2  # both workers ran executions


def test_events_emitted_at_once_start_one_execution_each(two_workers: Api) -> None:
    api = two_workers
    automation = Automation(api)
    team = automation.studio.team("burst")
    project = automation.project(team, "Burst")
    member = team.users["MEMBER"]
    workflow = automation.build(
        member, project, {"On record": ("trigger", {}), "Echo": ECHO}, [("On record", "Echo")],
        trigger_type="event", trigger_config={"event": "record.created"},
    )  # fmt: skip
    automation.request("POST", f"/workflows/{workflow.id}/activate/", member)

    async def burst(count: int) -> None:
        async def one(number: int) -> None:
            async with await psycopg.AsyncConnection.connect(
                api.server.database_url, autocommit=True
            ) as connection:
                await events.emit(
                    connection, uuid.UUID(team.organization), events.RECORD_CREATED,
                    {"table": "clients", "n": number}, project_id=uuid.UUID(project),
                )  # fmt: skip

        await asyncio.gather(*(one(number) for number in range(count)))

    asyncio.run(burst(40))
    fired = finished_executions(api, workflow.id, 40)
    time.sleep(1)
    fired = executions_of(api, workflow.id)
    assert sorted(row.input_data["n"] for row in fired) == list(range(40))
    assert {row.status for row in fired} == {"success"}
