"""Executions survive their workers: a server without a worker of its own, and `nocode
worker`-like processes (engine_worker.py) killed with SIGKILL. A delay waits in the queue,
not in a worker; a node with side effects cut by a crash is not run again unless it is
safe_to_repeat; a safe one is."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from dotenv import dotenv_values

from tests.conftest import REPOSITORY, TEST_SECRET, fresh_database, nocode_environment
from tests.control_plane.automation.conftest import Automation
from tests.control_plane.conftest import Api, Inbox, Server, serve
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


def _wait_until(check: Callable[[], bool], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _probe_workflow(
    automation: Automation, team: Team, probe: Path, safe: bool
) -> tuple[str, dict[str, str]]:
    member = team.users["MEMBER"]
    project = automation.project(team, f"Probe {safe}")
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
    crashing: Automation, crash_team: Team, workers: Workers, tmp_path: Path, safe: bool,
) -> None:  # fmt: skip
    """The worker dies while a node with side effects runs: another worker resumes the
    execution; the node runs again only if it is safe_to_repeat."""
    member = crash_team.users["MEMBER"]
    probe = tmp_path / "sent.txt"
    workflow, nodes = _probe_workflow(crashing, crash_team, probe, safe)
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
