"""Job kinds (name -> handler, with their retry and timeout defaults), cron schedules, and
the passes every worker repeats beside its jobs.

A registry is a plain object so that tests and benchmarks can run workers on their own
kinds; the control plane declares its kinds on the module-level `registry`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from croniter import croniter

from control_plane.jobs.passes import Pass, PassHandler

if TYPE_CHECKING:
    from control_plane.jobs.context import JobContext

Handler = Callable[["JobContext"], Awaitable[None]]


@dataclass(frozen=True)
class JobKind:
    name: str
    handler: Handler
    max_attempts: int
    timeout_seconds: float
    backoff_seconds: float  # first retry delay; each later retry waits twice as long


@dataclass(frozen=True)
class Schedule:
    kind: JobKind
    cron: str  # five fields, or six with a seconds field last
    payload: dict[str, Any]
    schedule_id: str


@dataclass
class Registry:
    kinds: dict[str, JobKind] = field(default_factory=dict)
    schedules: list[Schedule] = field(default_factory=list)
    passes: list[Pass] = field(default_factory=list)

    def kind(
        self,
        name: str,
        *,
        max_attempts: int = 3,
        timeout_seconds: float = 3600,
        backoff_seconds: float = 10,
    ) -> Callable[[Handler], JobKind]:
        """Decorator: declare `handler` as the job kind `name`."""
        if name in self.kinds:
            raise ValueError(f"job kind {name!r} is declared twice")
        if max_attempts < 1 or timeout_seconds <= 0 or backoff_seconds < 0:
            raise ValueError("max_attempts >= 1, timeout_seconds > 0, backoff_seconds >= 0")

        def declare(handler: Handler) -> JobKind:
            kind = JobKind(name, handler, max_attempts, timeout_seconds, backoff_seconds)
            self.kinds[name] = kind
            return kind

        return declare

    def schedule(
        self,
        kind: JobKind,
        cron: str,
        payload: dict[str, Any] | None = None,
        *,
        schedule_id: str = "",
    ) -> None:
        """Enqueue `kind` at every time `cron` names, once across all workers."""
        if self.kinds.get(kind.name) is not kind:
            raise ValueError(f"job kind {kind.name!r} is not declared on this registry")
        if not croniter.is_valid(cron):
            raise ValueError(f"invalid cron expression {cron!r}")
        if any(s.kind is kind and s.schedule_id == schedule_id for s in self.schedules):
            raise ValueError(f"{kind.name!r} has two schedules with id {schedule_id!r}")
        self.schedules.append(Schedule(kind, cron, payload or {}, schedule_id))

    def repeat(
        self, name: str, *, every_seconds: float, channel: str | None = None
    ) -> Callable[[PassHandler], Pass]:
        """Decorator: every worker runs `handler(pool)` every `every_seconds`, and at once
        when `channel` is notified (control_plane/jobs/passes.py)."""
        if any(existing.name == name for existing in self.passes) or every_seconds <= 0:
            raise ValueError(f"pass {name!r}: declared twice, or every_seconds <= 0")

        def declare(handler: PassHandler) -> Pass:
            work = Pass(name, handler, every_seconds, channel)
            self.passes.append(work)
            return work

        return declare


registry = Registry()
