"""What an execution keeps to resume (automation_executions.state) and the steps it has
still to write (run_steps rows).

An execution is replayed from its trigger on every resume: a node run whose output is in
`completed` is not run again, its output is reused. Every run of a node has a key, its
id inside its loop iterations ("<loop id>#<index>/<node id>"), so that loops replay too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from control_plane.runs.models import StepStatus


@dataclass
class ExecutionState:
    completed: dict[str, Any] = field(default_factory=dict)  # key -> output
    positions: dict[str, int] = field(default_factory=dict)  # key -> its latest step
    waits: dict[str, str] = field(default_factory=dict)  # delay key -> ISO end of the wait
    failures: dict[str, int] = field(default_factory=dict)  # key -> failed attempts
    in_flight: str | None = None  # a node with side effects that had started
    last_position: int = 0

    @classmethod
    def of(cls, stored: dict[str, Any]) -> ExecutionState:
        return cls(**stored)

    def as_json(self) -> dict[str, Any]:
        # Not dataclasses.asdict: it deep-copies every output (6% of an execution's CPU).
        return {
            "completed": self.completed,
            "positions": self.positions,
            "waits": self.waits,
            "failures": self.failures,
            "in_flight": self.in_flight,
            "last_position": self.last_position,
        }


@dataclass
class StepRecord:
    """A run_steps row as the journal writes it (upserted by position)."""

    position: int
    name: str
    node_id: str
    status: StepStatus
    input: Any
    started_at: datetime
    output: Any = None
    details: str = ""
    completed_at: datetime | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "name": self.name,
            "node_id": self.node_id,
            "status": str(self.status),
            "details": self.details,
            "input": self.input,
            "output": self.output,
            "started_at": self.started_at.isoformat(),
            "completed_at": self.completed_at.isoformat() if self.completed_at else None,
        }
