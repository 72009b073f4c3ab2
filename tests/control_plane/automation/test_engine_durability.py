"""Executions survive their workers: a server without a worker of its own, and `nocode
worker`-like processes (engine_worker.py) killed with SIGKILL. A delay waits in the queue,
not in a worker; a node with side effects cut by a crash is not run again unless it is
safe_to_repeat; a safe one is."""

from __future__ import annotations

import itertools
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from dotenv import dotenv_values

from tests.conftest import REPOSITORY, TEST_SECRET, fresh_database, nocode_environment
from tests.control_plane.automation.conftest import Automation
from tests.control_plane.conftest import Api, Inbox, Server, User, serve
from tests.control_plane.studio.conftest import Team


class Workers:
    """Worker processes (engine_worker.py) on the server's database."""

    def __init__(self, server: Server, env: dict[str, str]) -> None:
        self.server = server
        self.env = env
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self) -> subprocess.Popen[bytes]:
        log = self.server.data_dir / f"worker-{len(self.started)}.log"
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.control_plane.automation.engine_worker",
             self.server.database_url],
            cwd=REPOSITORY, env=self.env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.started.append(process)
        return process

    def kill_all(self) -> None:
        """SIGKILL every worker still alive."""
        for process in self.started:
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
                process.wait(timeout=10)


@pytest.fixture(scope="module")
def quiet_server(
    pg_server: str, inbox: Inbox, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """A control plane whose jobs run only in the workers the tests start."""
    server = serve(
        fresh_database(pg_server), inbox, tmp_path_factory.mktemp("cp"), in_process_worker="false"
    )
    yield server
    server.stop()


@pytest.fixture(scope="module")
def workers(quiet_server: Server, inbox: Inbox) -> Iterator[Workers]:
    """The workers of the module's tests (one at first: the team's invitation mails need
    it); all killed at the end."""
    secrets = dotenv_values(quiet_server.data_dir / ".env")  # the server's keys
    env = {
        **nocode_environment(),
        **{name: value for name, value in secrets.items() if value is not None},
        "DATABASE_URL": quiet_server.database_url,
        "JWT_SECRET": TEST_SECRET,
        "PUBLIC_URL": "http://cp.test",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(inbox.port),  # type: ignore[attr-defined]
    }
    running = Workers(quiet_server, env)
    running.start()
    yield running
    running.kill_all()


@pytest.fixture(scope="module")
def crashing(quiet_server: Server, inbox: Inbox, workers: Workers) -> Automation:
    return Automation(Api(quiet_server, inbox))


@pytest.fixture(scope="module")
def crash_team(crashing: Automation) -> Team:
    return crashing.studio.team("crash")


@pytest.fixture(scope="module")
def crash_project(crashing: Automation, crash_team: Team) -> str:
    return crashing.project(crash_team)


def _wait_until(check: Callable[[], bool], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _probe_workflow(
    automation: Automation, team: Team, project: str, probe: Path, safe: bool
) -> tuple[str, dict[str, str]]:
    member = team.users["MEMBER"]
    built = automation.build(
        member,
        project,
        {
            "Start": ("trigger", {}),
            "Send": ("transform", {"safe_to_repeat": safe, "config": {
                "output": {"sent": True}, "probe_file": str(probe), "probe_seconds": 4}}),
            "Done": ("transform", {"config": {"output": {"done": "{{sent}}"}}}),
        },
        [("Start", "Send"), ("Send", "Done")],
    )  # fmt: skip
    return built.id, built.nodes


@pytest.mark.parametrize("safe", [False, True], ids=["not-repeated", "safe-to-repeat"])
def test_a_node_cut_by_a_crash(
    crashing: Automation, crash_team: Team, crash_project: str, workers: Workers,
    tmp_path: Path, safe: bool,
) -> None:  # fmt: skip
    """The worker dies while a node with side effects runs: another worker resumes the
    execution; the node runs again only if it is safe_to_repeat."""
    member = crash_team.users["MEMBER"]
    probe = tmp_path / "sent.txt"
    workflow, nodes = _probe_workflow(crashing, crash_team, crash_project, probe, safe)
    workers.kill_all()
    workers.start()
    execution = crashing.execute(member, workflow)["execution_id"]
    _wait_until(lambda: probe.exists() and probe.read_text().count(execution) == 1)
    # The step of the node is recorded as running before the node starts.
    running = crashing.wait_for(member, execution, "running")
    assert [(d["node_name"], d["status"]) for d in running["execution_details"]] == [
        ("Start", "completed"), ("Send", "running"),
    ]  # fmt: skip
    killed_at = time.monotonic()
    workers.kill_all()
    workers.start()
    done = crashing.wait_for(member, execution, timeout=30)
    recovered_in = time.monotonic() - killed_at
    runs = probe.read_text().count(execution)
    if safe:
        assert done["status"] == "completed", done
        assert runs == 2
        assert done["output_data"] == {"done": True}
    else:
        assert done["status"] == "failed", done
        assert runs == 1
        assert done["error_code"] == "NODE_INTERRUPTED"
        assert "not safe_to_repeat" in done["error_message"]
        assert nodes["Done"] not in done["execution_path"]
    assert recovered_in < 15 + (4 if safe else 0)


def test_a_delay_outlives_every_worker(
    crashing: Automation, crash_team: Team, crash_project: str, workers: Workers
) -> None:
    """While a delay waits, no worker holds it: every worker may die; the first one
    started after the delay's end resumes the execution."""
    member = crash_team.users["MEMBER"]
    built = crashing.delayed(member, crash_project, {"seconds": 2}, {"waited": "{{delay_seconds}}"})
    execution = crashing.execute(member, built.id)["execution_id"]

    def waiting() -> bool:
        found = crashing.wait_for(member, execution, "running")
        return [d["status"] for d in found["execution_details"]] == ["completed", "running"]

    _wait_until(waiting)
    workers.kill_all()
    time.sleep(3)  # past the delay's end, with no worker at all
    assert crashing.wait_for(member, execution, "running")["status"] == "running"
    workers.start()
    done = crashing.wait_for(member, execution, timeout=20)
    assert done["status"] == "completed", done
    assert done["output_data"] == {"waited": 2}
    wait_step = done["execution_details"][1]
    assert wait_step["output_data"]["delay_seconds"] == 2
    assert wait_step["duration_seconds"] >= 2


def test_a_failed_node_is_retried_with_backoff_across_a_restart(
    crashing: Automation, crash_team: Team, crash_project: str, workers: Workers, tmp_path: Path
) -> None:
    """retry_on_failure: the failed node runs again after 1 s, then 2 s (the queue holds
    the retry, so a worker restart in between loses nothing)."""
    member = crash_team.users["MEMBER"]
    probe = tmp_path / "attempts.txt"
    flaky = {"output": {"ok": True}, "probe_file": str(probe), "probe_failures": 2}
    built = crashing.build(
        member,
        crash_project,
        {"Start": ("trigger", {}), "Flaky": ("transform", {"config": flaky})},
        [("Start", "Flaky")],
        settings={"retry_on_failure": True, "max_retries": 2},
    )
    execution = crashing.execute(member, built.id)["execution_id"]
    _wait_until(lambda: probe.exists() and len(probe.read_text().splitlines()) == 1)
    workers.kill_all()
    workers.start()
    done = crashing.wait_for(member, execution, timeout=30)
    assert done["status"] == "completed", done
    assert len(probe.read_text().splitlines()) == 3
    steps = [d for d in done["execution_details"] if d["node_name"] == "Flaky"]
    assert [s["status"] for s in steps] == ["failed", "failed", "completed"]
    starts = [datetime.fromisoformat(s["started_at"]) for s in steps]
    first_wait, second_wait = ((b - a).total_seconds() for a, b in itertools.pairwise(starts))
    assert first_wait >= 1 and second_wait >= 2


def test_an_inline_run_whose_process_dies_is_failed_by_the_recovery(
    crashing: Automation, crash_team: Team, crash_project: str, workers: Workers, tmp_path: Path
) -> None:
    """run_inline in a process killed during a node with side effects: the execution's
    lease runs out (its deadline + 10 s), the recovery job hands it to a job, which
    fails it without running the node again."""
    member = crash_team.users["MEMBER"]
    probe = tmp_path / "inline.txt"
    send = {"output": {"sent": True}, "probe_file": str(probe), "probe_seconds": 30}
    built = crashing.build(
        member,
        crash_project,
        {"Start": ("trigger", {}), "Send": ("transform", {"config": send})},
        [("Start", "Send")],
        settings={"timeout_seconds": 2},
    )
    inline = subprocess.Popen(
        [sys.executable, "-m", "tests.control_plane.automation.engine_worker",
         crashing.api.server.database_url, built.id],
        cwd=REPOSITORY, env=workers.env, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        _wait_until(lambda: probe.exists())
    finally:
        inline.send_signal(signal.SIGKILL)
        inline.wait(timeout=10)
    killed_at = time.monotonic()
    listed = crashing.request("GET", "/executions/", member, params={"workflow": built.id}).json()
    execution = listed["results"][0]
    assert execution["status"] == "running"
    assert [d["status"] for d in execution_details(crashing, member, execution["id"])] == [
        "completed", "running",
    ]  # fmt: skip
    done = crashing.wait_for(member, execution["id"], timeout=30)
    assert done["status"] == "failed", done
    assert done["error_code"] in ("AUTO_006", "NODE_INTERRUPTED")
    assert len(probe.read_text().splitlines()) == 1
    assert time.monotonic() - killed_at < 2 + 10 + 5 + 5


def execution_details(automation: Automation, by: User, execution: str) -> list[dict[str, Any]]:
    found = automation.request("GET", f"/executions/{execution}/", by).json()
    return list(found["execution_details"])


def test_a_node_running_past_the_timeout_is_stopped(
    crashing: Automation, crash_team: Team, crash_project: str, workers: Workers, tmp_path: Path
) -> None:
    member = crash_team.users["MEMBER"]
    slow = {"output": {}, "probe_file": str(tmp_path / "slow.txt"), "probe_seconds": 30}
    built = crashing.build(
        member,
        crash_project,
        {"Start": ("trigger", {}), "Slow": ("transform", {"config": slow})},
        [("Start", "Slow")],
        settings={"timeout_seconds": 2},
    )
    began = time.monotonic()
    done = crashing.wait_for(member, crashing.execute(member, built.id)["execution_id"])
    assert time.monotonic() - began < 10
    assert done["status"] == "failed"
    assert done["error_code"] == "AUTO_006"
    assert [(d["node_name"], d["status"]) for d in done["execution_details"]] == [
        ("Start", "completed"), ("Slow", "failed"),
    ]  # fmt: skip
