"""Our generated app. Adjust the constants below if the generator's contract changes."""

from __future__ import annotations

import json
import os
import time
import urllib.parse
from pathlib import Path

from ..config import REPO_DIR, ROWS
from ..install import PeerUnavailable
from ..pg import PgServer
from ..procs import run_checked
from ..wrk import Request
from .base import CREATE_BODY, PATCH_BODY, Contender, Launch

NOCODE = REPO_DIR / ".venv" / "bin" / "nocode"
PYTHON = REPO_DIR / ".venv" / "bin" / "python"
SPEC = REPO_DIR / "specs" / "gestion_client.yaml"
PROJECT_ID = "550e8400-e29b-41d4-a716-446655440000"
BASE = f"/api/v1/runtime/projects/{PROJECT_ID}/tables/produits/"
JWT_SECRET = "bench-secret-not-for-production-0123456789abcdef"
WORKERS = int(os.environ.get("BENCH_OURS_WORKERS", "2"))


class Ours(Contender):
    name = "ours"
    database = "bench_ours"
    health_path = "/health"
    notes = f"`python -m app serve --workers {WORKERS}`; lists always return a total count"

    def __init__(self, rows: int = ROWS) -> None:
        self.rows = rows  # produits seeded by prepare()

    @property
    def app_dir(self) -> Path:
        return self.work_dir / "app"

    def _env(self, pg: PgServer) -> dict[str, str]:
        return {**os.environ, "DATABASE_URL": pg.uri(self.database), "JWT_SECRET": JWT_SECRET}

    def install(self) -> None:
        if not NOCODE.exists():
            raise PeerUnavailable(f"{NOCODE} not found (pip install -e . in the project venv)")
        try:  # into a fresh bench/.work/ours/ (the runner wipes it)
            run_checked(
                [str(NOCODE), "generate", str(SPEC), "--out", str(self.app_dir)],
                cwd=REPO_DIR,
                log=self.work_dir / "generate.log",
                timeout=300,
            )
        except Exception as exc:  # noqa: BLE001
            raise PeerUnavailable(f"nocode generate failed: {exc}") from exc

    def prepare(self, pg: PgServer) -> None:
        # The app's own migrations create produits (and clients, commandes); we only seed.
        pg.recreate_database(self.database)
        try:
            run_checked(
                [str(PYTHON), "-m", "app", "migrate"],
                cwd=self.app_dir,
                env=self._env(pg),
                log=self.work_dir / "migrate.log",
                timeout=300,
            )
        except Exception as exc:  # noqa: BLE001
            raise PeerUnavailable(f"python -m app migrate failed: {exc}") from exc
        pg.seed_produits(self.database, self.rows)

    def launch(self, pg: PgServer, port: int) -> Launch:
        cmd = [
            str(PYTHON),
            "-m",
            "app",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(WORKERS),
        ]
        return Launch(cmd=cmd, cwd=self.app_dir, env=self._env(pg))

    def headers(self) -> dict[str, str]:
        import jwt  # PyJWT from the project's venv

        claims = {"sub": "bench", "role": "OWNER", "exp": int(time.time()) + 86_400}
        return {"Authorization": f"Bearer {jwt.encode(claims, JWT_SECRET, algorithm='HS256')}"}

    def requests(self) -> dict[str, Request]:
        filters = urllib.parse.quote(json.dumps({"prix__gte": 100}))
        return {
            "get": Request("GET", BASE + "{id}/"),
            "list20": Request(
                "GET",
                f"{BASE}?page=1&page_size=20&sort_by=prix&sort_order=desc&filters={filters}",
            ),
            "list100": Request("GET", f"{BASE}?page_size=100"),
            "create": Request("POST", BASE, CREATE_BODY),
            "patch": Request("PATCH", BASE + "{id}/", PATCH_BODY),
            "delete": Request("DELETE", BASE + "{seq}/"),  # 204
        }


class OursWithoutEvents(Ours):
    """Ours with the record events' triggers of `produits` dropped: beside `ours`, the
    cost of the outbox on the write hot path."""

    name = "ours_without_events"
    database = "bench_ours_without_events"
    notes = f"{Ours.notes}; no record events (their triggers dropped)"

    def prepare(self, pg: PgServer) -> None:
        super().prepare(pg)
        with pg.connect(self.database) as connection:
            for operation in ("created", "updated", "deleted"):
                connection.execute(f"DROP TRIGGER produits__events_{operation} ON produits")
