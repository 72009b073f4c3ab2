"""The local target's tasks, reported to deployment.record's Recorder as the ansible-runner
events it reads: a local deployment's steps, log lines, failure and error code come out of
the same recorder as an SSH deployment's, and read alike."""

from __future__ import annotations

import subprocess
from collections.abc import Callable

from deployment.record import Recorder

HOST = "local"


class TaskFailed(Exception):
    """A task failed and was recorded; the deployment stops or rolls back."""


class TaskError(Exception):
    """What a task raises to fail with a message and the output that explains it."""

    def __init__(self, message: str, output: str = "") -> None:
        super().__init__(message)
        self.output = output


class Tasks:
    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder

    def run(self, task: str, action: Callable[[], bool | None]) -> None:
        """Run `action` as the task named "Step | what it does"; it returns whether it
        changed anything. Any exception fails the task with its message."""
        self._event("playbook_on_task_start", task)
        try:
            changed = action()
        except TaskError as error:
            self.fail(task, str(error), error.output)
        except subprocess.CalledProcessError as error:
            output = error.stderr or error.stdout or ""
            self.fail(task, str(error), output if isinstance(output, str) else output.decode())
        # The boundary of a deployment: whatever went wrong is recorded, then rolled back.
        except Exception as error:  # noqa: BLE001
            self.fail(task, str(error) or type(error).__name__)
        self._event("runner_on_ok", task, {"changed": bool(changed)})

    def fail(self, task: str, message: str, output: str = "") -> None:
        self._event("runner_on_failed", task, {"msg": message, "stderr": output})
        raise TaskFailed(message)

    def _event(self, kind: str, task: str, result: dict[str, object] | None = None) -> None:
        data: dict[str, object] = {"task": task, "host": HOST}
        if result is not None:
            data["res"] = result
        self.recorder.handle({"event": kind, "event_data": data})
