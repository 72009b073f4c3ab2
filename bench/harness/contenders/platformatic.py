"""Platformatic DB peer (Node 22 from npm), started with `wattpm start` on a generated config."""

from __future__ import annotations

import json
import urllib.parse
from pathlib import Path

from ..install import NODE22, PeerUnavailable, npm_packages
from ..pg import PgServer
from ..wrk import Request
from .base import CREATE_BODY, Contender, Launch

VERSION = "3.67.0"
# No partial update by id in Platformatic's REST API: see requests().
PUT_BODY = (
    '{"reference": "REF-{id7}", "nom": "Produit {id}", "prix": "{prix}", "stock": 7, "actif": true}'
)
PACKAGES = [f"wattpm@{VERSION}", f"@platformatic/db@{VERSION}"]


class Platformatic(Contender):
    name = "platformatic"
    database = "bench_platformatic"
    # No /health on the application port: the first data route answering is "up".
    health_path = "/produits/1"
    notes = (
        f"Platformatic DB {VERSION} under wattpm (1 worker thread); lists do not count rows "
        "unless asked: the bench passes totalCount=true (X-Total-Count header); "
        "update is a full-row PUT (same values, stock changed)"
    )

    def install(self) -> None:
        self.prefix: Path = npm_packages("platformatic", PACKAGES)
        self.wattpm = self.prefix / "node_modules" / "wattpm" / "bin" / "cli.js"
        if not self.wattpm.exists():
            raise PeerUnavailable(f"wattpm CLI not found at {self.wattpm}")

    def launch(self, pg: PgServer, port: int) -> Launch:
        app_dir = self.work_dir / "app"
        app_dir.mkdir(parents=True, exist_ok=True)
        # @databases/pg wants the socket directory percent-encoded in the query string.
        socket_dir = urllib.parse.quote(str(pg.socket_dir), safe="")
        connection = f"postgres://{pg.user}@localhost:{pg.port}/{self.database}?host={socket_dir}"
        config = {
            "$schema": f"https://schemas.platformatic.dev/@platformatic/db/{VERSION}.json",
            "server": {"hostname": "127.0.0.1", "port": port, "logger": {"level": "warn"}},
            "runtime": {"logger": {"level": "warn"}},
            "watch": False,
            "db": {
                "connectionString": connection,
                "openapi": True,
                "graphql": False,
                "events": False,
                "limit": {"default": 10, "max": 100},
            },
        }
        (app_dir / "platformatic.json").write_text(json.dumps(config, indent=2))
        (app_dir / "package.json").write_text(
            json.dumps({"name": "bench-platformatic", "private": True})
        )
        return Launch(
            cmd=[str(NODE22.binary()), str(self.wattpm), "start"],
            cwd=app_dir,
            env=NODE22.env({"NODE_PATH": str(self.prefix / "node_modules")}),
        )

    def requests(self) -> dict[str, Request]:
        return {
            "get": Request("GET", "/produits/{id}"),
            "list20": Request(
                "GET",
                "/produits?limit=20&offset=0&where.prix.gte=100&orderby.prix=desc&totalCount=true",
            ),
            "list100": Request("GET", "/produits?limit=100&offset=0&totalCount=true"),
            "create": Request("POST", "/produits", CREATE_BODY),
            # PUT needs every required column: resend the row's seeded values, stock changed.
            "patch": Request("PUT", "/produits/{id}", PUT_BODY),
            "delete": Request("DELETE", "/produits/{seq}"),  # 200, the deleted row
        }
