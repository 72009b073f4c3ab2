"""Directus peer (Node 22 from npm) in its own database: its system tables + a copy of produits."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

from ..install import NODE22, PeerUnavailable, npm_packages
from ..pg import PgServer
from ..procs import run_checked
from ..wrk import Request
from .base import CREATE_BODY, PATCH_BODY, Contender, Launch

# 12.4.1 depends on @directus/app 18.0.1, which the npm registry here does not serve.
VERSION = "12.4.0"
ADMIN_EMAIL = "bench@example.com"
ADMIN_PASSWORD = "bench-password"
ADMIN_TOKEN = "bench-static-admin-token"


class Directus(Contender):
    name = "directus"
    database = "bench_directus"
    health_path = "/server/ping"
    notes = (
        f"Directus {VERSION}, one Node process, cache, rate and pressure limiters off; "
        "static admin token; lists ask for meta=filter_count"
    )

    def install(self) -> None:
        prefix = npm_packages("directus", [f"directus@{VERSION}"])
        self.cli: Path = prefix / "node_modules" / "directus" / "cli.js"
        if not self.cli.exists():
            raise PeerUnavailable(f"Directus CLI not found at {self.cli}")

    def _env(self, pg: PgServer, port: int = 0) -> dict[str, str]:
        data = self.work_dir / "data"
        return NODE22.env(
            {
                "KEY": "bench-directus-key",
                "SECRET": "bench-directus-secret-0123456789",
                "DB_CLIENT": "pg",
                "DB_HOST": str(pg.socket_dir),
                "DB_PORT": str(pg.port),
                "DB_DATABASE": self.database,
                "DB_USER": pg.user,
                "DB_PASSWORD": "",
                "ADMIN_EMAIL": ADMIN_EMAIL,
                "ADMIN_PASSWORD": ADMIN_PASSWORD,
                "ADMIN_TOKEN": ADMIN_TOKEN,
                "HOST": "127.0.0.1",
                "PORT": str(port),
                "PUBLIC_URL": f"http://127.0.0.1:{port}",
                "LOG_LEVEL": "warn",
                "TELEMETRY": "false",
                "CACHE_ENABLED": "false",
                "RATE_LIMITER_ENABLED": "false",
                # Load shedding (503 "Under pressure") would cut every throughput run short.
                "PRESSURE_LIMITER_ENABLED": "false",
                "WEBSOCKETS_ENABLED": "false",
                "EXTENSIONS_PATH": str(data / "extensions"),
                "STORAGE_LOCAL_ROOT": str(data / "uploads"),
            }
        )

    def prepare(self, pg: PgServer) -> None:
        super().prepare(pg)  # produits first: Directus then finds it as an existing table
        (self.work_dir / "data" / "extensions").mkdir(parents=True, exist_ok=True)
        (self.work_dir / "data" / "uploads").mkdir(parents=True, exist_ok=True)
        try:
            run_checked(
                [str(NODE22.binary()), str(self.cli), "bootstrap"],
                cwd=self.work_dir,
                env=self._env(pg),
                log=self.work_dir / "bootstrap.log",
                timeout=300,
            )
        except Exception as exc:  # noqa: BLE001
            raise PeerUnavailable(f"directus bootstrap failed: {exc}") from exc

    def launch(self, pg: PgServer, port: int) -> Launch:
        return Launch(
            cmd=[str(NODE22.binary()), str(self.cli), "start"],
            cwd=self.work_dir,
            env=self._env(pg, port),
        )

    def after_start(self, base_url: str) -> None:
        """Register produits as a Directus collection (metadata only, the table exists)."""
        body = json.dumps({"collection": "produits", "meta": {"icon": "inventory"}}).encode()
        request = urllib.request.Request(
            f"{base_url}/collections",
            data=body,
            method="POST",
            headers={**self.headers(), "Content-Type": "application/json"},
        )
        try:
            urllib.request.urlopen(request, timeout=30).close()
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode(errors="replace")
            if "already exists" not in detail:
                raise PeerUnavailable(f"registering produits failed: {exc.code} {detail}") from exc

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {ADMIN_TOKEN}"}

    def requests(self) -> dict[str, Request]:
        base = "/items/produits"
        return {
            "get": Request("GET", base + "/{id}"),
            "list20": Request(
                "GET", base + "?limit=20&page=1&filter[prix][_gte]=100&sort=-prix&meta=filter_count"
            ),
            "list100": Request("GET", base + "?limit=100&page=1&meta=filter_count"),
            "create": Request("POST", base, CREATE_BODY),
            "patch": Request("PATCH", base + "/{id}", PATCH_BODY),
            "delete": Request("DELETE", base + "/{seq}"),  # 204
        }
