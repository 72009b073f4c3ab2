"""`nocode serve` and `nocode migrate`: the control plane on DATABASE_URL, or on a real
PostgreSQL started in the data folder (the same embedded server as `nocode run`).

The data folder (NOCODE_DATA_DIR, default ./nocode-data) also keeps the JWT secret made
on the first start (in its .env, mode 0600) unless JWT_SECRET is set.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from pydantic import ValidationError

from control_plane.config import Settings
from control_plane.mail import mail_settings
from nocode.apps import ensure_secret
from nocode.postgres import configured_or_embedded

DATABASE_NAME = "nocode"
# Running jobs get 30 s to finish when the server stops (jobs.WorkerSettings).
SHUTDOWN_SECONDS = 45


class SettingsError(ValueError):
    """A setting from the environment is missing or wrong; one line per problem."""


@contextmanager
def control_plane_environment(data_dir: Path, announce: Callable[[str], None]) -> Iterator[None]:
    """DATABASE_URL and JWT_SECRET set in os.environ (the server's workers inherit them),
    starting the embedded PostgreSQL when no DATABASE_URL is given; stops it on exit."""
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ["JWT_SECRET"] = ensure_secret(data_dir)
    given = os.environ.get("DATABASE_URL")
    with configured_or_embedded(data_dir / "postgres", DATABASE_NAME, announce) as url:
        os.environ["DATABASE_URL"] = url
        try:
            yield
        finally:
            if given is None:
                del os.environ["DATABASE_URL"]


def _problems(error: ValidationError) -> list[str]:
    return [
        f"{'.'.join(map(str, problem['loc'])).upper()}: {problem['msg']}"
        for problem in error.errors()
    ]


def load_settings() -> Settings:
    """The settings of the environment (the mail's checked too), or SettingsError naming
    each bad variable."""
    lines: list[str] = []
    try:
        mail_settings()
    except ValidationError as error:
        lines += _problems(error)
    try:
        settings = Settings()  # type: ignore[call-arg]  # required values come from the environment
    except ValidationError as error:
        lines += _problems(error)
    if lines:
        raise SettingsError("\n".join(lines))
    return settings


def run_server(host: str, port: int, workers: int) -> int:
    """Serve the app with granian, in a process group of its own, until it exits or this
    process gets SIGINT/SIGTERM; return granian's exit status.

    The signal is passed on once. Granian can hang on its way out when a signal meets
    its workers' exits (its signal handler and its worker watchers share a lock), so
    past SHUTDOWN_SECONDS the group is killed: the caller always gets to stop the
    embedded PostgreSQL.
    """
    server = subprocess.Popen(
        [sys.executable, "-m", "granian", "--interface", "asgi", "--factory"]
        + ["--host", host, "--port", str(port), "--workers", str(workers)]
        + ["control_plane.app:create_app"],
        start_new_session=True,  # Ctrl+C reaches us only; we pass it on
    )
    deadline: float | None = None

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal deadline
        if deadline is None:
            deadline = time.monotonic() + SHUTDOWN_SECONDS
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGTERM)

    previous = {signum: signal.signal(signum, stop) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        while server.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(server.pid, signal.SIGKILL)
            time.sleep(0.2)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return server.returncode if deadline is None else 0
