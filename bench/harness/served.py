"""Our generated app end to end, for the benchmarks that need it running: generated,
migrated, seeded and served by its own server process."""

from __future__ import annotations

import shutil
import time

from tests.conftest import RunningApp

from .config import HOST
from .contenders.ours import PROJECT_ID, Ours
from .pg import PgServer
from .procs import spawn, wait_healthy


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
