"""FastCRUD peer: bench/peers/fastcrud_app.py (FastAPI + SQLAlchemy async + asyncpg) on uvicorn."""

from __future__ import annotations

import os

from ..config import BENCH_DIR
from ..install import python_venv
from ..pg import PgServer
from ..wrk import Request
from .base import CREATE_BODY, PATCH_BODY, Contender, Launch

REQUIREMENTS = [
    "fastcrud==0.23.0",
    "uvicorn[standard]==0.54.0",
    "asyncpg==0.32.0",
    "sqlalchemy[asyncio]>=2.0",
]
WORKERS = int(os.environ.get("BENCH_FASTCRUD_WORKERS", "1"))


class FastCrud(Contender):
    name = "fastcrud"
    database = "bench_fastcrud"
    health_path = "/health"
    notes = (
        f"uvicorn (uvloop, httptools), {WORKERS} worker(s), no access log; "
        "paginated lists return total_count"
    )

    def install(self) -> None:
        self.bin_dir = python_venv("fastcrud-venv", REQUIREMENTS)

    def launch(self, pg: PgServer, port: int) -> Launch:
        url = f"postgresql+asyncpg://{pg.user}@/{self.database}?host={pg.socket_dir}&port={pg.port}"
        cmd = [
            str(self.bin_dir / "uvicorn"),
            "fastcrud_app:app",
            "--app-dir",
            str(BENCH_DIR / "peers"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(WORKERS),
            "--no-access-log",
            "--log-level",
            "warning",
        ]
        return Launch(cmd=cmd, cwd=BENCH_DIR, env={**os.environ, "DATABASE_URL": url})

    def requests(self) -> dict[str, Request]:
        return {
            "get": Request("GET", "/produits/{id}"),
            "list20": Request("GET", "/produits?page=1&itemsPerPage=20&sort=-prix&prix__gte=100"),
            "list100": Request("GET", "/produits?page=1&itemsPerPage=100"),
            "create": Request("POST", "/produits", CREATE_BODY),
            "patch": Request("PATCH", "/produits/{id}", PATCH_BODY),
            # crud_router's delete: a hard delete (no is_deleted column), 200 and a message
            "delete": Request("DELETE", "/produits/{seq}"),
        }
