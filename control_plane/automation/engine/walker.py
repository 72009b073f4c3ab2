"""The walk of one execution over its plan: runs each node whose incoming edges were
taken, in topological order, with the merged outputs of those edges' sources as input.

Replay: a node run already in the state's `completed` is not run again. The walk stops by
raising `Suspend` (a delay, a retry after a failure: the caller saves the state and
enqueues the resume) or `ExecutionFailed`.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, NoReturn

from control_plane.automation import expressions
from control_plane.automation.engine import executors  # noqa: F401  (registers them)
from control_plane.automation.engine.nodes import EXECUTORS, NodeFailed, NodeRun, NodeServices
from control_plane.automation.engine.plan import Plan, PlanEdge, PlanNode, Region
from control_plane.automation.engine.state import ExecutionState, StepRecord
from control_plane.automation.errors import EXECUTION_TIMEOUT, INVALID_DATA
from control_plane.automation.node_types import NodeType
from control_plane.runs.models import StepStatus

INTERRUPTED = "NODE_INTERRUPTED"
NODE_ERROR = "NODE_ERROR"
logger = logging.getLogger(__name__)


class Suspend(Exception):
    """Stop here and resume at `resume_at` (state saved by the caller)."""

    def __init__(self, resume_at: datetime) -> None:
        super().__init__(resume_at.isoformat())
        self.resume_at = resume_at


class ExecutionFailed(Exception):
    def __init__(self, message: str, code: str, node_id: uuid.UUID | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.node_id = node_id


class Stopped(Exception):
    """The run is no longer this walk's to write (cancelled, or taken over): stop quietly."""


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int
    backoff_seconds: float

    def delay(self, failures: int) -> float:
        return min(self.backoff_seconds * 2.0 ** (failures - 1), 3600.0)


@dataclass(frozen=True)
class Execution:
    """The facts of an execution a walk needs."""

    run_id: uuid.UUID
    workflow_id: uuid.UUID
    organization_id: uuid.UUID
    project_id: uuid.UUID
    input_data: Mapping[str, Any]
    dry_run: bool
    deadline_at: datetime
    retry: RetryPolicy | None


def now() -> datetime:
    return datetime.now(UTC)


def _merge(outputs: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for output in outputs:
        merged.update(output)
    return merged


@dataclass
class Walker:
    plan: Plan
    execution: Execution
    state: ExecutionState
    services: NodeServices
    # Saves the state and the steps so far; False when the run is no longer ours.
    checkpoint: Callable[[], Awaitable[bool]]
    steps: dict[int, StepRecord] = field(default_factory=dict)  # not written yet
    path: list[str] = field(default_factory=list)
    outputs_by_name: dict[str, Any] = field(default_factory=dict)

    @property
    def deadline(self) -> float:
        left = (self.execution.deadline_at - now()).total_seconds()
        return time.monotonic() + left

    async def run(self) -> dict[str, Any]:
        """The execution's output: the merged outputs of the nodes it ended on."""
        ran, ends = await self._region(self.plan.top, dict(self.execution.input_data), "", {})
        return _merge([ran[node] for node in ends])

    async def _region(
        self, region: Region, entry_input: dict[str, Any], prefix: str, extras: dict[str, Any]
    ) -> tuple[dict[uuid.UUID, dict[str, Any]], list[uuid.UUID]]:
        """Run one region; the outputs of its nodes that ran, and which of them ended it."""
        pending: dict[uuid.UUID, list[dict[str, Any]]] = {e: [entry_input] for e in region.entries}
        members = set(region.order)
        ran: dict[uuid.UUID, dict[str, Any]] = {}
        ends: list[uuid.UUID] = []
        for node_id in region.order:
            if node_id not in pending:
                continue
            node = self.plan.nodes[node_id]
            output = await self._node(node, _merge(pending[node_id]), prefix, extras)
            ran[node_id] = output
            taken = False
            for edge in self.plan.outgoing[node_id]:
                walked = edge.target in members and not edge.body
                if walked and self._taken(node, edge, output, extras):
                    pending.setdefault(edge.target, []).append(output)
                    taken = True
            if not taken:
                ends.append(node_id)
        return ran, ends

    def _scope(self, node_input: Mapping[str, Any], extras: Mapping[str, Any]) -> dict[str, Any]:
        return {
            **node_input,
            **extras,
            "input_data": self.execution.input_data,
            "nodes": self.outputs_by_name,
        }

    def _taken(
        self, node: PlanNode, edge: PlanEdge, output: dict[str, Any], extras: dict[str, Any]
    ) -> bool:
        if edge.condition:
            try:
                return expressions.truthy(edge.condition, self._scope(output, extras))
            except expressions.ExpressionError as error:
                raise ExecutionFailed(
                    f"edge from {node.name}: {error}", INVALID_DATA.code, node.id
                ) from None
        if node.node_type is NodeType.CONDITION:
            target = self.plan.nodes[edge.target]
            result = bool(output.get("result"))
            for branch, when in (("true_path", True), ("false_path", False)):
                if node.config.get(branch) in (str(target.id), target.name):
                    return result is when
        return True

    async def _node(
        self, node: PlanNode, node_input: dict[str, Any], prefix: str, extras: dict[str, Any]
    ) -> dict[str, Any]:
        key = f"{prefix}{node.id}"
        if str(node.id) not in self.path:
            self.path.append(str(node.id))
        done = self.state.completed.get(key)
        if done is not None:
            self.outputs_by_name[node.name] = done
            return dict(done)
        if time.monotonic() >= self.deadline:
            raise ExecutionFailed(
                f"the execution ran past its timeout before {node.name}",
                EXECUTION_TIMEOUT.code, node.id,
            )  # fmt: skip
        step = self._begin_step(key, node, node_input)
        output = await self._attempt(node, key, node_input, extras, step)
        if node.node_type is NodeType.CONDITION:
            output = {**{name: output["result"] for name in node.output_names}, **output}
        elif node.node_type is NodeType.LOOP:
            output = await self._iterate(node, key, output, extras)
        elif node.node_type is NodeType.DELAY and not self.execution.dry_run:
            output = self._waited(node, key, output, step)
        step.status, step.output, step.completed_at = StepStatus.SUCCESS, output, now()
        self.state.completed[key] = output
        self.outputs_by_name[node.name] = output
        return output

    def _begin_step(self, key: str, node: PlanNode, node_input: dict[str, Any]) -> StepRecord:
        position = self.state.positions.get(key)  # a delay's or a cut node's running step
        if position is None:
            self.state.last_position += 1
            position = self.state.positions[key] = self.state.last_position
        step = StepRecord(position, node.name, str(node.id), StepStatus.RUNNING, node_input, now())
        self.steps[position] = step
        return step

    async def _attempt(
        self, node: PlanNode, key: str, node_input: dict[str, Any], extras: dict[str, Any],
        step: StepRecord,
    ) -> dict[str, Any]:  # fmt: skip
        executor = EXECUTORS.get(node.node_type)
        if executor is None:  # a node type whose module this process lacks
            message = f"no executor for {node.node_type} nodes in this worker"
            self._fail_step(step, message)
            raise ExecutionFailed(message, NODE_ERROR, node.id)
        effects = executor.has_side_effects(node.config) and not self.execution.dry_run
        if effects:
            if self.state.in_flight == key and not node.safe_to_repeat:
                message = (
                    f"{node.name} was running when its worker stopped; it has side effects "
                    "and is not safe_to_repeat, so it was not run again"
                )
                self._fail_step(step, message)
                raise ExecutionFailed(message, INTERRUPTED, node.id)
            self.state.in_flight = key
            if not await self.checkpoint():
                raise Stopped
        run = NodeRun(
            node_id=node.id, name=node.name, node_type=node.node_type, config=node.config,
            organization_id=self.execution.organization_id,
            project_id=self.execution.project_id, workflow_id=self.execution.workflow_id,
            execution_id=self.execution.run_id, scope=self._scope(node_input, extras),
            input=node_input, dry_run=self.execution.dry_run, deadline=self.deadline,
            services=self.services,
        )  # fmt: skip
        try:
            async with asyncio.timeout(max(self.deadline - time.monotonic(), 0)):
                output = await executor.run(run)
        except TimeoutError:
            message = f"the execution ran past its timeout in {node.name}"
            self._fail_step(step, message)
            raise ExecutionFailed(message, EXECUTION_TIMEOUT.code, node.id) from None
        except (NodeFailed, expressions.ExpressionError) as error:
            code = error.code if isinstance(error, NodeFailed) else INVALID_DATA.code
            self._failed(node, key, step, str(error), code)
        except Exception:  # a fault of an executor: the node fails, not the worker
            logger.exception("node %s of execution %s", node.id, self.execution.run_id)
            self._failed(node, key, step, "internal error in the node's executor", NODE_ERROR)
        finally:
            if effects:
                self.state.in_flight = None
        return output

    def _fail_step(self, step: StepRecord, message: str) -> None:
        step.status, step.details, step.completed_at = StepStatus.FAILED, message, now()

    def _failed(
        self, node: PlanNode, key: str, step: StepRecord, message: str, code: str
    ) -> NoReturn:
        """Retry the node later (as a new step) if the workflow's settings allow it, else
        fail."""
        self._fail_step(step, message)
        del self.state.positions[key]
        failures = self.state.failures[key] = self.state.failures.get(key, 0) + 1
        policy = self.execution.retry
        if policy and failures <= policy.max_retries and not self.execution.dry_run:
            raise Suspend(now() + timedelta(seconds=policy.delay(failures)))
        raise ExecutionFailed(f"{node.name}: {message}", code, node.id)

    async def _iterate(
        self, node: PlanNode, key: str, output: dict[str, Any], extras: dict[str, Any]
    ) -> dict[str, Any]:
        """Run the loop's body once per item; its output lists each iteration's result."""
        body = self.plan.bodies[node.id]
        closing = self.plan.closing[node.id]
        results = []
        for index, item in enumerate(output["items"]):
            inner = {**extras, "item": item, "index": index}
            entry = {"item": item, "index": index}
            ran, _ = await self._region(body, entry, f"{key}#{index}/", inner)
            results.append(_merge([out for n, out in ran.items() if n in closing]))
        return {**output, "results": results}

    def _waited(
        self, node: PlanNode, key: str, output: dict[str, Any], step: StepRecord
    ) -> dict[str, Any]:
        """A delay ends when its time has come; until then the execution is suspended."""
        until_text = self.state.waits.get(key)
        if until_text is None:
            until = now() + timedelta(seconds=float(output["delay_seconds"]))
            if until > self.execution.deadline_at:
                message = f"{node.name} would wait past the execution's timeout"
                self._fail_step(step, message)
                raise ExecutionFailed(message, EXECUTION_TIMEOUT.code, node.id)
            self.state.waits[key] = until.isoformat()
        else:
            until = datetime.fromisoformat(until_text)
        if now() < until:
            step.details = f"waiting until {until.isoformat()}"
            raise Suspend(until)
        return {**output, "waited_until": until.isoformat()}
