"""The run ledger (control_plane/runs) on a real PostgreSQL: a run with its steps and log
lines, a finished status that nothing overwrites, and a deployment's events written from
the runner's thread while the deployment goes on, readable by another connection."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import psycopg
from psycopg_pool import AsyncConnectionPool

from control_plane.runs.models import RunKind, RunStatus, StepStatus
from control_plane.runs.services import ledger
from control_plane.runs.services.deployment_events import LedgerListener
from deployment.record import Recorder


def _organization(url: str) -> uuid.UUID:
    with psycopg.connect(url, autocommit=True) as connection:
        row = connection.execute("INSERT INTO organizations (name) VALUES ('Runs') RETURNING id")
        found = row.fetchone()
        assert found is not None
        return uuid.UUID(str(found[0]))


def test_a_run_reads_back_with_its_steps_and_lines_and_keeps_its_final_status(
    database: str,
) -> None:
    organization = _organization(database)

    async def scenario() -> None:
        async with await psycopg.AsyncConnection.connect(database, autocommit=True) as db:
            run_id = await ledger.create_run(
                db, organization, RunKind.WORKFLOW, details={"trigger": "manual"}
            )
            pending = await ledger.read_run(db, run_id)
            assert pending is not None and pending.run.status is RunStatus.PENDING
            assert pending.run.started_at is None

            await ledger.start_run(db, run_id)
            first = await ledger.begin_step(db, run_id, "Fetch", input={"url": "x"})
            await ledger.log(db, run_id, "fetched 3 rows", step="Fetch", status="ok")
            await ledger.end_step(
                db, run_id, first, StepStatus.SUCCESS, details="3 rows", output={"rows": 3}
            )
            second = await ledger.begin_step(db, run_id, "Store")
            await ledger.end_step(db, run_id, second, StepStatus.FAILED, details="disk full")
            assert await ledger.finish_run(
                db, run_id, RunStatus.FAILED, error_code="E1", error_message="Store failed",
                details={"rows": 3},
            )  # fmt: skip
            # Finished is final: a late success changes nothing.
            assert not await ledger.finish_run(db, run_id, RunStatus.SUCCESS)

            record = await ledger.read_run(db, run_id)
            assert record is not None
            run = record.run
            assert (run.status, run.error_code, run.error_message) == (
                RunStatus.FAILED, "E1", "Store failed",
            )  # fmt: skip
            assert run.details == {"trigger": "manual", "rows": 3}
            assert run.started_at is not None and run.completed_at is not None
            assert [(s.position, s.name, s.status, s.details) for s in record.steps] == [
                (1, "Fetch", StepStatus.SUCCESS, "3 rows"),
                (2, "Store", StepStatus.FAILED, "disk full"),
            ]
            assert record.steps[0].input == {"url": "x"}
            assert record.steps[0].output == {"rows": 3}
            assert all(step.completed_at is not None for step in record.steps)
            assert [(line.step, line.message) for line in record.lines] == [
                ("Fetch", "fetched 3 rows")
            ]
            assert await ledger.read_run(db, uuid.uuid4()) is None

    asyncio.run(scenario())


def _task(name: str) -> dict[str, Any]:
    return {"event": "playbook_on_task_start", "event_data": {"task": name}}


def _result(kind: str, name: str, **result: Any) -> dict[str, Any]:
    return {"event": kind, "event_data": {"task": name, "host": "web1", "res": result}}


def test_deployment_events_are_in_the_ledger_while_the_deployment_runs(database: str) -> None:
    """The Recorder is fed on another thread, as ansible-runner feeds it; a second
    connection sees each step and line as soon as the event is handled."""
    organization = _organization(database)

    def steps_seen(run_id: uuid.UUID) -> list[tuple[str, str]]:
        with psycopg.connect(database) as reader:
            rows = reader.execute(
                "SELECT name, status FROM run_steps WHERE run_id = %s ORDER BY position",
                (run_id,),
            )
            return [(str(name), str(status)) for name, status in rows]

    def deployment(recorder: Recorder, run_id: uuid.UUID) -> list[list[tuple[str, str]]]:
        seen = []
        build = recorder.begin("Build")
        seen.append(steps_seen(run_id))
        recorder.end(build, "success", "release 1.0.0")
        recorder.handle(_task("Validation | check the variables"))
        recorder.handle(_result("runner_on_ok", "Validation | check the variables"))
        seen.append(steps_seen(run_id))
        recorder.handle(_task("Health Checks | wait for /health"))
        recorder.handle(
            _result("runner_on_failed", "Health Checks | wait for /health", msg="503 after 6 s")
        )
        recorder.finish()
        seen.append(steps_seen(run_id))
        return seen

    async def scenario() -> None:
        async with AsyncConnectionPool(
            database, min_size=1, max_size=2, open=False, kwargs={"autocommit": True}
        ) as pool:
            async with pool.connection() as db:
                run_id = await ledger.create_run(db, organization, RunKind.DEPLOYMENT)
            recorder = Recorder(listener=LedgerListener(pool, run_id))
            seen = await asyncio.to_thread(deployment, recorder, run_id)
            assert seen == [
                [("Build", "running")],
                [("Build", "success"), ("Validation", "running")],
                [("Build", "success"), ("Validation", "success"), ("Health Checks", "failed")],
            ]
            async with pool.connection() as db:
                record = await ledger.read_run(db, run_id)
            assert record is not None
            assert [step.details for step in record.steps] == [
                "release 1.0.0", "1 tasks, 0 changed", "503 after 6 s",
            ]  # fmt: skip
            assert [(line.step, line.status, line.message) for line in record.lines] == [
                ("Validation", "ok", ""),
                ("Health Checks", "failed", "503 after 6 s"),
            ]
            assert [line.host for line in record.lines] == ["web1", "web1"]

    asyncio.run(scenario())
