"""What a deployment reports: its steps and log lines (seed 000 deployment logs).

`Recorder` receives ansible-runner's events. Task names start with their step
("Backup | dump the database"), so the recorder knows which step each event belongs to.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from deployment.errors import (
    INSUFFICIENT_RESOURCES,
    INVALID_CONFIGURATION,
    MIGRATION_FAILED,
    NOT_DEPLOYABLE,
    DeployError,
)

ROLLBACK = "Rollback"

StepStatus = Literal["running", "success", "failed"]
# What a task did on a host; a failed task with ignore_errors counts as ok.
LogStatus = Literal["ok", "changed", "failed", "unreachable"]
_CODE = re.compile(r"\bDEPLOY_00[1-4]\b")


def _now() -> datetime:
    return datetime.now(UTC)


def _timestamp(moment: datetime | None) -> str | None:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def human_duration(seconds: float) -> str:
    """`7m 23s`, `45s`, `1.2s`: the seed's way of writing durations."""
    if seconds < 10:
        return f"{seconds:.1f}s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}m {rest}s" if minutes else f"{rest}s"


@dataclass
class Step:
    name: str
    started_at: datetime
    completed_at: datetime | None = None
    status: StepStatus = "running"
    details: str = ""
    tasks: int = 0
    changed: int = 0

    @property
    def duration(self) -> float:
        return ((self.completed_at or _now()) - self.started_at).total_seconds()

    def as_dict(self) -> dict[str, object]:
        return {
            "step": self.name,
            "status": self.status,
            "started_at": _timestamp(self.started_at),
            "completed_at": _timestamp(self.completed_at),
            "duration": human_duration(self.duration),
            "details": self.details or f"{self.tasks} tasks, {self.changed} changed",
        }


@dataclass
class LogLine:
    at: datetime
    host: str
    step: str
    task: str
    status: LogStatus
    message: str = ""

    def __str__(self) -> str:
        tail = f": {self.message}" if self.message else ""
        return f"{self.host}: {self.task} [{self.status}]{tail}"

    def as_dict(self) -> dict[str, object]:
        return {
            "at": _timestamp(self.at),
            "host": self.host,
            "step": self.step,
            "task": self.task,
            "status": self.status,
            "message": self.message,
        }


@dataclass
class Failure:
    step: str
    host: str
    message: str
    unreachable: bool = False

    @property
    def code(self) -> str:
        """The seed error code that fits: a code the playbook named, else by step."""
        named = named_code(self.message)
        if named:
            return named
        if self.unreachable or self.step == "Validation":
            return INVALID_CONFIGURATION
        if "No space left on device" in self.message:
            return INSUFFICIENT_RESOURCES
        if self.step == "Database Migration":
            return MIGRATION_FAILED
        return NOT_DEPLOYABLE


def named_code(message: str) -> str | None:
    """The DEPLOY_00x code a playbook message names, if any."""
    found = _CODE.search(message)
    return found.group(0) if found else None


Listener = Callable[[str, Any], None]  # ("step", Step) or ("log", LogLine)


@dataclass
class Recorder:
    """Turns runner events into steps, log lines and the first failure."""

    listener: Listener | None = None
    steps: list[Step] = field(default_factory=list)
    logs: list[LogLine] = field(default_factory=list)
    failure: Failure | None = None
    rollback_report: str = ""
    stats: dict[str, dict[str, int]] = field(default_factory=dict)
    _current: Step | None = None

    def handle(self, event: dict[str, Any]) -> bool:
        data = event.get("event_data", {})
        kind = event.get("event", "")
        if kind == "playbook_on_task_start":
            self._enter(_step_of(data.get("task", "")))
        elif kind in ("runner_on_ok", "runner_on_failed", "runner_on_unreachable"):
            self._result(kind, data)
        elif kind == "playbook_on_stats":
            for counter in ("ok", "changed", "failures", "dark", "skipped", "rescued"):
                for host, count in (data.get(counter) or {}).items():
                    self.stats.setdefault(host, {})[counter] = count
        return True  # keep the event in the runner's artifacts

    def finish(self) -> None:
        self._close()

    @property
    def changed(self) -> int:
        return sum(host.get("changed", 0) for host in self.stats.values())

    def begin(self, name: str) -> Step:
        """A step outside the playbook (the controller's Build), started now."""
        step = Step(name=name, started_at=_now())
        self.steps.append(step)
        self._emit("step", step)
        return step

    def end(self, step: Step, status: StepStatus, details: str) -> None:
        step.status, step.details, step.completed_at = status, details, _now()
        self._emit("step", step)

    @contextmanager
    def controller_step(self, name: str) -> Iterator[Step]:
        """A step outside the playbook (the controller's Build) around a block that sets
        its `details`: failed with the message of a DeployError the block raises, which goes
        on up; otherwise a success."""
        step = self.begin(name)
        try:
            yield step
        except DeployError as error:
            self.end(step, "failed", str(error))
            raise
        self.end(step, "success", step.details)

    def stopped(self, output: str) -> None:
        """The playbook ended in error without a failed task: a bad inventory or variable."""
        self.failure = Failure("Validation", "controller", output)

    def _enter(self, name: str | None) -> None:
        if name is None or (self._current and self._current.name == name):
            return
        self._close()
        existing = next((step for step in self.steps if step.name == name), None)
        if existing is None:  # a later batch of hosts reopens the steps it shares
            existing = Step(name=name, started_at=_now())
            self.steps.append(existing)
        existing.status = "running" if existing.status != "failed" else "failed"
        existing.completed_at = None
        self._current = existing
        self._emit("step", existing)

    def _close(self) -> None:
        step, self._current = self._current, None
        if step is not None:
            step.completed_at = _now()
            if step.status == "running":
                step.status = "success"
            self._emit("step", step)

    def _result(self, kind: str, data: dict[str, Any]) -> None:
        result = data.get("res") or {}
        task = data.get("task", "")
        step = _step_of(task) or (self._current.name if self._current else "Validation")
        host = data.get("host", "?")
        ignored = bool(data.get("ignore_errors"))
        status: LogStatus
        if kind == "runner_on_unreachable":
            status = "unreachable"
        elif kind == "runner_on_failed" and not ignored:
            status = "failed"
        else:
            status = "changed" if result.get("changed") else "ok"
        message = _message(result) if status == "failed" else ""
        if status == "unreachable":
            message = _unreachable(str(result.get("msg", "")))
        line = LogLine(_now(), host, step, task, status, message)
        self.logs.append(line)
        if self._current is not None:
            self._current.tasks += 1
            self._current.changed += status == "changed"
        if status in ("failed", "unreachable"):
            self._failed(step, host, message, status == "unreachable", task)
        self._emit("log", line)

    def _failed(self, step: str, host: str, message: str, unreachable: bool, task: str) -> None:
        if step == ROLLBACK and task.endswith("| report"):
            self.rollback_report = message
            return
        if self._current is not None:
            self._current.status = "failed"
            self._current.details = message
        if self.failure is None:
            self.failure = Failure(step, host, message, unreachable)

    def _emit(self, kind: str, payload: object) -> None:
        if self.listener is not None:
            self.listener(kind, payload)


def _step_of(task: str) -> str | None:
    step, separator, _ = task.partition(" | ")
    return step.strip() if separator else None


def _message(result: dict[str, Any]) -> str:
    """The reason of a failure, short: the module's message and the end of its stderr."""
    message = " ".join(str(result.get("msg") or "").split())[:300]
    stderr = str(result.get("stderr") or result.get("stdout") or "").strip()
    if stderr:
        tail = " ".join(stderr.splitlines()[-3:])[:300]
        message = f"{message}: {tail}" if message and tail not in message else tail
    return message[:1000] or "failed"


_SSH_REFUSALS = (
    (
        ("REMOTE HOST IDENTIFICATION HAS CHANGED", "Host key verification failed"),
        "its SSH host key does not match the one in the known_hosts file; nothing was run"
        " (if the host was reinstalled, remove its old line)",
    ),
    (("Permission denied",), "SSH refused the key: Permission denied"),
)


def _unreachable(message: str) -> str:
    """ssh's reason for not connecting, in one clear sentence where it is a known one."""
    for signs, sentence in _SSH_REFUSALS:
        if any(sign in message for sign in signs):
            return f"unreachable: {sentence}"
    return "unreachable: " + " ".join(message.split())[:300]
