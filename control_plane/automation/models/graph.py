"""Bodies of a workflow's nodes, edges, graph and validation report (seed 004).

A node's `config` is free-form JSON whose keys its node type's executor checks; its
strings may hold `{{ expression }}` templates. `inputs` and `outputs` name the values a
node needs and gives, which validation matches along the graph."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from control_plane.automation.models.common import WorkflowStatus
from control_plane.automation.models.executions import NodeStatistics
from control_plane.automation.node_types import NodeType
from control_plane.foundation.models import Body, OneLine

NodeName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), OneLine
]
Coordinate = Annotated[int | float, Field(ge=-1_000_000, le=1_000_000)]
MAX_CONFIG_BYTES = 64 * 1024
MAX_STYLE_BYTES = 4 * 1024


MAX_DEPTH = 32


def _depth(value: Any) -> int:
    """How deeply a JSON value nests (iteratively: a hostile value must not exhaust the
    stack here, nor later where configs are walked recursively)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        member, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth <= MAX_DEPTH and isinstance(member, dict | list):
            children = member.values() if isinstance(member, dict) else member
            stack.extend((child, depth + 1) for child in children)
    return deepest


def _bounded(limit: int) -> AfterValidator:
    def check(value: dict[str, Any]) -> dict[str, Any]:
        if _depth(value) > MAX_DEPTH:
            raise ValueError(f"must nest at most {MAX_DEPTH} levels deep")
        if len(json.dumps(value, ensure_ascii=False).encode()) > limit:
            raise ValueError(f"must be at most {limit} bytes of JSON")
        return value

    return AfterValidator(check)


Config = Annotated[dict[str, Any], _bounded(MAX_CONFIG_BYTES)]
Style = Annotated[dict[str, Any], _bounded(MAX_STYLE_BYTES)]
Expression = Annotated[str, Field(min_length=1, max_length=2000)]


class Position(Body):
    x: Coordinate = 0
    y: Coordinate = 0


class PortType(StrEnum):
    STRING = "string"
    INTEGER = "integer"
    NUMBER = "number"
    BOOLEAN = "boolean"
    OBJECT = "object"
    ARRAY = "array"
    ANY = "any"


class Port(Body):
    """One value a node needs (an input) or gives (an output)."""

    name: Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,99}$")]
    type: PortType = PortType.ANY
    required: bool = False
    description: Annotated[str, Field(max_length=500)] = ""


Ports = Annotated[list[Port], Field(max_length=50)]


class NodeCreate(Body):
    name: NodeName
    node_type: NodeType
    position: Position = Field(default_factory=Position)
    config: Config = {}
    inputs: Ports = []
    outputs: Ports = []
    safe_to_repeat: bool = False


class NodeUpdate(Body):
    name: NodeName | None = None
    position: Position | None = None
    config: Config | None = None
    inputs: Ports | None = None
    outputs: Ports | None = None
    safe_to_repeat: bool | None = None


class NodePublic(BaseModel):
    id: uuid.UUID
    tracking_id: uuid.UUID
    workflow: uuid.UUID
    name: str
    node_type: NodeType
    position: dict[str, int | float]
    config: dict[str, Any]
    inputs: list[dict[str, Any]]
    outputs: list[dict[str, Any]]
    safe_to_repeat: bool
    created_at: datetime
    updated_at: datetime
    # The engine's figures of the node's live runs: only on GET one.
    execution_statistics: NodeStatistics | None = None


class EdgeCreate(Body):
    source_node: uuid.UUID
    target_node: uuid.UUID
    condition: Expression | None = None
    label: Annotated[str, Field(max_length=200), OneLine] = ""
    style: Style = {}


class EdgePublic(BaseModel):
    id: uuid.UUID
    tracking_id: uuid.UUID
    workflow: uuid.UUID
    source_node: uuid.UUID
    target_node: uuid.UUID
    condition: str | None
    label: str
    style: dict[str, Any]
    created_at: datetime


class GraphWorkflow(BaseModel):
    id: uuid.UUID
    name: str
    status: WorkflowStatus


class GraphNode(BaseModel):
    id: uuid.UUID
    name: str
    type: NodeType
    position: dict[str, int | float]
    config: dict[str, Any]


class GraphEdge(BaseModel):
    id: uuid.UUID
    source: uuid.UUID
    target: uuid.UUID
    condition: str | None


class Layout(BaseModel):
    """How a client should draw the graph: left to right, dagre's layered layout."""

    direction: Literal["horizontal"] = "horizontal"
    spacing: int = 50
    algorithm: Literal["dagre"] = "dagre"


class GraphMetadata(BaseModel):
    total_nodes: int
    total_edges: int
    # Distinct paths from the trigger to a node without successors (a loop's way back
    # counted once); 0 without a trigger.
    execution_paths: int
    # McCabe's cyclomatic complexity: edges - nodes + 2 * connected components.
    complexity_score: int


class GraphPublic(BaseModel):
    workflow: GraphWorkflow
    nodes: list[GraphNode]
    edges: list[GraphEdge]
    layout: Layout = Field(default_factory=Layout)
    metadata: GraphMetadata


class CheckStatus(StrEnum):
    PASSED = "passed"
    WARNING = "warning"
    FAILED = "failed"


class CheckName(StrEnum):
    NODES_CONNECTED = "nodes_connected"
    NO_CIRCULAR_DEPENDENCIES = "no_circular_dependencies"
    REQUIRED_INPUTS = "required_inputs"
    INTEGRATION_AVAILABILITY = "integration_availability"


class Check(BaseModel):
    check: CheckName
    status: CheckStatus
    message: str


class Issue(BaseModel):
    """A problem that forbids executing: its AUTO code says which."""

    type: str
    code: str
    message: str
    node_id: uuid.UUID | None = None
    field: str | None = None


class ValidationWarning(BaseModel):
    type: str
    message: str
    node_id: uuid.UUID | None = None


class ValidationReport(BaseModel):
    workflow_id: uuid.UUID
    validation_status: Literal["valid", "invalid"]
    checks: list[Check]
    issues: list[Issue]
    warnings: list[ValidationWarning]
    can_execute: bool
