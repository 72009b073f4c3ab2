"""What the benchmarks serve: our generated app end to end (generated, migrated, seeded
and served by its own server process), and the control plane (`nocode serve`)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import RunningApp

from .config import HOST, WORK_DIR
from .contenders.ours import PROJECT_ID, Ours
from .pg import PgServer
from .procs import spawn, stop, wait_healthy


def serve_ours(pg: PgServer, app: Ours, port: int) -> RunningApp:
    """Starts `app` from a fresh work folder; the caller stops its process."""
    shutil.rmtree(app.work_dir, ignore_errors=True)
    app.install()
    app.prepare(pg)
    launch = app.launch(pg, port)
    process = spawn(launch.cmd, cwd=launch.cwd, env=launch.env, log=app.work_dir / "serve.log")
    base = f"http://{HOST}:{port}"
    wait_healthy(f"{base}/health", process, started=time.perf_counter(), timeout=120)
    api = f"{base}/api/v1/runtime/projects/{PROJECT_ID}/"
    return RunningApp(app.app_dir, base, api, pg.uri(app.database), process)


def serve_control_plane(
    database_url: str, port: int, workers: int, data_dir: Path, log: Path, **settings: str
) -> subprocess.Popen[bytes]:
    """`nocode serve` on `database_url`, answering /health, with `settings` as its
    environment (`access_token_minutes="120"`: ACCESS_TOKEN_MINUTES); the caller stops it."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "JWT_SECRET": "bench-secret-bench-secret-bench-secret",
        **{name.upper(): value for name, value in settings.items()},
    }
    options = ["--port", str(port), "--workers", str(workers), "--data-dir", str(data_dir)]
    process = spawn(
        [sys.executable, "-m", "nocode", "serve", *options], cwd=WORK_DIR, env=env, log=log
    )
    try:
        wait_healthy(
            f"http://{HOST}:{port}/health", process, started=time.perf_counter(), timeout=120
        )
    except BaseException:
        stop(process)
        raise
    return process
