"""The two workflows of the automation benchmark, as each engine serves them, and what the
runner needs of a running engine (bench/automation.py)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from ..wrk import Request

# The body every webhook call sends: {prix} is a spread of amounts from 0 to 999.99 (about
# 90 % above 100), {id} a customer number (lua/bench.lua fills both).
ORDER_BODY = '{"amount": {prix}, "customer": "c-{id}"}'
SMOKE_BODY = b'{"amount": 150, "customer": "c-1"}'


@dataclass(frozen=True)
class Flow:
    """One workflow as the load generator calls it.

    order: webhook answering when the last node finishes -> Edit Fields -> IF amount > 100
    -> one of two Set nodes (4 nodes run per execution); ack: a webhook that answers at
    once (1 node)."""

    name: str
    request: Request
    headers: Mapping[str, str]
    node_runs: int


# CPU groups: {name: (root pids, pids whose subtrees are left out)} (harness/cpu.py).
CpuGroups = Mapping[str, tuple[list[int], list[int]]]


class Engine(Protocol):
    """A running workflow engine with the two flows set up and active."""

    label: str
    notes: str
    base_url: str
    flows: Mapping[str, Flow]

    def cpu_groups(self) -> CpuGroups: ...

    def finished_executions(self) -> int | None:
        """Executions stored as finished (whatever their outcome); None for an engine that
        stores none (each answered request counts as one then)."""
        ...

    def stored(self) -> dict[str, int]:
        """What the engine's store holds after the runs (executions, node records)."""
        ...
