"""What the engine gives a node's executor, and what it expects back: the one interface
between the engine (which walks the graph) and the node types (which do the work).

The engine owns trigger, condition, transform, delay and loop; the integrations part owns
http_request, database_query and action (send_email, create_record, update_record, webhook).
Each registers one executor per node type in `EXECUTORS` (actions dispatch on
`config["action_type"]` inside theirs).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from psycopg_pool import AsyncConnectionPool

from control_plane.automation.node_types import NodeType
from control_plane.config import Settings
from control_plane.db import Conn


@dataclass(frozen=True)
class ConfigIssue:
    """A problem of a node's config found before running it (validate, test, save):
    `field` is the config key path ("config.url"), `code` the AUTO code it maps to
    (AUTO_004 for a missing integration, AUTO_007 otherwise)."""

    field: str
    message: str
    code: str = "AUTO_007"


@dataclass(frozen=True)
class NodeRun:
    """One run of one node."""

    node_id: uuid.UUID
    name: str
    node_type: NodeType
    config: Mapping[str, Any]  # as stored; render it with expressions.render(config, scope)
    organization_id: uuid.UUID
    project_id: uuid.UUID
    workflow_id: uuid.UUID
    execution_id: uuid.UUID  # the run's id
    # The expression scope: input_data (the execution's input), nodes (name -> output of
    # every node run so far), the keys of the node's input at top level, item/index in a
    # loop body.
    scope: Mapping[str, Any]
    input: Mapping[str, Any]  # merged outputs of the predecessors that led here
    dry_run: bool  # test mode: a node with side effects says what it would do, does nothing
    deadline: float  # time.monotonic() by which the execution must end (AUTO_006)
    services: NodeServices


@dataclass(frozen=True)
class NodeServices:
    """What executors may use: the pool (the platform's database), the settings (vault
    key, outbound policy), and `log` to add a line to the run's log."""

    pool: AsyncConnectionPool[Conn]
    settings: Settings
    log: Callable[[str], Awaitable[None]]
    extras: dict[str, Any] = field(default_factory=dict)


class NodeFailed(Exception):
    """A node's run failed for a reason its user can act on (HTTP 500 from the target, SMTP
    refused...): the step fails with this message and `code`."""

    def __init__(self, message: str, code: str = "NODE_FAILED") -> None:
        super().__init__(message)
        self.code = code


class NodeExecutor(Protocol):
    node_type: NodeType

    # Whether a run has effects outside the platform's ledger (mail, HTTP, writes): such a
    # node is not run again after a crash cut it, unless the node is safe_to_repeat.
    def has_side_effects(self, config: Mapping[str, Any]) -> bool: ...

    def check(self, config: Mapping[str, Any]) -> list[ConfigIssue]:
        """Static checks of a config (required keys, types, expressions parse)."""
        ...

    async def check_environment(
        self, config: Mapping[str, Any], organization_id: uuid.UUID, services: NodeServices
    ) -> list[ConfigIssue]:
        """Checks that need the database (the integration exists and is configured...)."""
        ...

    async def run(self, node: NodeRun) -> dict[str, Any]:
        """Do the work (or, when node.dry_run and has_side_effects, describe it in the
        output under "dry_run") and return the node's output: a JSON object. Raise
        NodeFailed for a failure its user can act on."""
        ...


EXECUTORS: dict[NodeType, NodeExecutor] = {}


def register(executor: NodeExecutor) -> NodeExecutor:
    """Declare the executor of its node type (once per type)."""
    if executor.node_type in EXECUTORS:
        raise ValueError(f"node type {executor.node_type} has two executors")
    EXECUTORS[executor.node_type] = executor
    return executor
