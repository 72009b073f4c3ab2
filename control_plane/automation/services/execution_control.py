"""What people do to executions: execute a workflow (202, a job runs it), test it (a dry
run in the request), cancel a running execution, retry a failed one (from its failed
node, or from the start). MEMBER and above (WORKFLOWS_BASIC), and the caller's role must
allow every node of the workflow (node_types.required_permission)."""

from __future__ import annotations

import time
import uuid
from typing import Any

from control_plane.automation.engine.nodes import NodeServices
from control_plane.automation.engine.state import ExecutionState
from control_plane.automation.engine.walker import now
from control_plane.automation.errors import EXECUTION_IN_PROGRESS
from control_plane.automation.models.common import ExecutionStatus
from control_plane.automation.models.executions import (
    CancelResponse,
    ExecuteRequest,
    ExecutionAccepted,
    RetryResponse,
    TestPerformance,
    TestRequest,
    TestResponse,
    TestResults,
    ValidationResults,
)
from control_plane.automation.models.graph import CheckName, CheckStatus, ValidationReport
from control_plane.automation.queries import execution_records, executions
from control_plane.automation.services import execution_records as records
from control_plane.automation.services import executions as service
from control_plane.automation.services import validation
from control_plane.automation.services.access import authorize_nodes, authorize_workflow
from control_plane.automation.services.graph import loaded
from control_plane.db import Conn
from control_plane.errors import CONFLICT, ApiError
from control_plane.foundation.permissions import Permission
from control_plane.foundation.services.audit import RequestOrigin, record_action
from control_plane.jobs import cancel as cancel_job
from control_plane.runs.models import RunStatus
from control_plane.runs.services import ledger

# How long POST /test/ runs the dry run before it answers with what it has.
TEST_TIMEOUT_SECONDS = 30.0


async def _runnable(
    connection: Conn, user_id: uuid.UUID, workflow_id: uuid.UUID, services: NodeServices
) -> tuple[uuid.UUID, ValidationReport]:
    """The workflow's organisation and validation report, if the caller may run every
    node of it and it is valid (else the first issue's AUTO code)."""
    organization_id, role = await authorize_workflow(
        connection, user_id, workflow_id, Permission.WORKFLOWS_BASIC
    )
    report = await validation.validate(connection, workflow_id, organization_id, services=services)
    validation.raise_if_invalid(report)
    graph = await loaded(connection, workflow_id)
    authorize_nodes(role, [(node.node_type, node.config) for node in graph.nodes])
    return organization_id, report


async def _estimate(connection: Conn, workflow_id: uuid.UUID) -> str | None:
    average = (await execution_records.totals(connection, workflow_id)).average_seconds
    if average is None:
        return None
    if average < 1:
        return "under a second"
    return f"about {round(average)} seconds"


async def execute(
    connection: Conn,
    origin: RequestOrigin,
    user_id: uuid.UUID,
    workflow_id: uuid.UUID,
    body: ExecuteRequest,
    services: NodeServices,
) -> ExecutionAccepted:
    async with connection.transaction():
        organization_id, _ = await _runnable(connection, user_id, workflow_id, services)
        started = await service.start(
            connection, workflow_id, trigger_type=body.trigger_type,
            input_data=body.input_data, execution_context=body.execution_context,
            performed_by=user_id,
        )  # fmt: skip
        await record_action(
            connection, origin, user_id, organization_id, "execution.start",
            started.execution_id, {"workflow": str(workflow_id)},
        )  # fmt: skip
        return ExecutionAccepted(
            execution_id=started.execution_id,
            workflow_id=workflow_id,
            status=started.status,
            started_at=started.started_at,
            estimated_duration=await _estimate(connection, workflow_id),
            input_data=body.input_data,
        )


async def test(
    services: NodeServices, user_id: uuid.UUID, workflow_id: uuid.UUID, body: TestRequest
) -> TestResponse:
    """A dry run: nodes with side effects describe what they would do, and delays do not
    wait. It is kept as an execution of mode `test`."""
    pool = services.pool
    async with pool.connection() as connection:
        _, report = await _runnable(connection, user_id, workflow_id, services)
    began = time.monotonic()
    result = await service.run_inline(
        pool, services.settings, workflow_id, trigger_type="manual", input_data=body.test_data,
        execution_context={"test_mode": body.test_mode}, timeout_seconds=TEST_TIMEOUT_SECONDS,
        performed_by=user_id, mode="test",
    )  # fmt: skip
    duration = time.monotonic() - began
    async with pool.connection() as connection:
        done = await execution_records.one(connection, result.execution_id)
    summary = records.summary(done) if done else None
    return TestResponse(
        test_execution_id=result.execution_id,
        status=result.status,
        test_results=TestResults(
            nodes_executed=summary.nodes_executed if summary else 0,
            nodes_success=summary.nodes_success if summary else 0,
            nodes_failed=summary.nodes_failed if summary else 0,
            execution_path=summary.execution_path if summary else [],
            outputs=result.output_data if body.capture_outputs else None,
            performance=TestPerformance(duration_seconds=round(duration, 3)),
        ),
        validation_results=_validation_results(report),
        error_code=result.error_code,
        error_message=result.error_message,
    )


def _validation_results(report: ValidationReport) -> ValidationResults:
    passed = {check.check for check in report.checks if check.status is CheckStatus.PASSED}
    return ValidationResults(
        all_nodes_connected=CheckName.NODES_CONNECTED in passed,
        no_circular_dependencies=CheckName.NO_CIRCULAR_DEPENDENCIES in passed,
        all_required_inputs_provided=CheckName.REQUIRED_INPUTS in passed,
    )


async def cancel(
    connection: Conn, origin: RequestOrigin, user_id: uuid.UUID, run_id: uuid.UUID
) -> CancelResponse:
    """Stop a running execution: its run is cancelled and its job stopped (or dropped
    from the queue when it waits)."""
    async with connection.transaction():
        found = await records.authorized(connection, user_id, run_id, Permission.WORKFLOWS_BASIC)
        if not await ledger.finish_run(
            connection, run_id, RunStatus.CANCELLED, error_message="cancelled by a person"
        ):
            status = ExecutionStatus.of_run(RunStatus(found.run_status))
            raise ApiError(CONFLICT, {"status": f"The execution is {status}."})
        await executions.cancel_steps(connection, run_id)
        if found.job_id is not None:
            await cancel_job(connection, found.job_id)
        await record_action(
            connection, origin, user_id, found.organization_id, "execution.cancel", run_id,
            {"workflow": str(found.workflow_id)},
        )  # fmt: skip
        done = await executions.completed_nodes(connection, run_id)
        total = len(await executions.node_types(connection, found.workflow_id))
    return CancelResponse(
        message="Exécution annulée",
        execution_id=run_id,
        status=ExecutionStatus.CANCELLED,
        cancelled_at=now(),
        nodes_completed=done,
        nodes_remaining=max(total - done, 0),
    )


def _resumed_state(stored: dict[str, Any]) -> ExecutionState:
    """What a retry keeps of the failed execution: the outputs of the nodes that ended."""
    return ExecutionState(completed=ExecutionState.of(stored).completed)


async def retry(
    connection: Conn,
    origin: RequestOrigin,
    user_id: uuid.UUID,
    run_id: uuid.UUID,
    from_start: bool,
    services: NodeServices,
) -> RetryResponse:
    """A new execution of the same input: from the node that failed (the outputs of the
    nodes before it are reused), or from the start."""
    async with connection.transaction():
        original = await records.authorized(connection, user_id, run_id, Permission.WORKFLOWS_BASIC)
        status = RunStatus(original.run_status)
        if not status.finished:
            raise ApiError(EXECUTION_IN_PROGRESS, {"execution": "It is still running."})
        if status is RunStatus.SUCCESS and not from_start:
            raise ApiError(
                CONFLICT, {"from_start": "The execution succeeded: only a full re-run is possible."}
            )
        await _runnable(connection, user_id, original.workflow_id, services)
        from_node = None if from_start else await executions.failed_node(connection, run_id)
        state = ExecutionState() if from_start else _resumed_state(original.state)
        started = await service.start(
            connection, original.workflow_id, trigger_type=original.trigger_type,
            input_data=original.input_data, execution_context={"retry_of": str(run_id)},
            performed_by=user_id, state=state, retry_of=run_id, retry_from_node=from_node,
        )  # fmt: skip
        await record_action(
            connection, origin, user_id, original.organization_id, "execution.retry",
            started.execution_id, {"retry_of": str(run_id), "from_start": from_start},
        )  # fmt: skip
    return RetryResponse(
        message="Nouvelle exécution démarrée",
        original_execution_id=run_id,
        new_execution_id=started.execution_id,
        status=started.status,
        started_at=started.started_at,
        retry_from_node=from_node,
    )
